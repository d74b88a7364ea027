// Guardrails: a framework-free rule engine over plain Kubernetes objects, named profiles, explicit
// exemptions, ValidatingAdmissionPolicy synthesis and a cdk8s CLI validation plugin.
export * from './rule-ids';
export * from './exemptions';
export * from './rules';
export * from './profiles';
export * from './engine';
export * from './admission-policy';
export * from './cdk8s-plugin';
