// cdk8s constructs: thin wrappers over lib/builders, in cdk8s-plus style (props interface + class).
export * from './agent-sandbox-system';
export * from './sandbox-crds';
export * from './sandbox-router';
export * from './sandbox-runtime-class';
export * from './sandbox';
export * from './sandbox-template';
export * from './sandbox-warm-pool';
export * from './sandbox-claim';
export * from './team-sandboxes';
export * from './sandbox-router';
export * from './guardrails';
