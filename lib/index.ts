// agent-sandbox-kit: typed API, builders, guardrails and cdk8s constructs for Kubernetes Agent Sandbox.
export {};
