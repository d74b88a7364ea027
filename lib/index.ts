// agent-sandbox-kit: typed API, builders, guardrails and cdk8s constructs for Kubernetes Agent Sandbox.
// Constructs and guardrails are top-level; the wire API (types, keys, CRDs) and the framework-free
// builders are namespaces because their names (e.g. the Sandbox type) overlap with the constructs'.
export * from './cdk8s';
export * from './policy';
export * as api from './api';
export * as builders from './builders';
