// Pure builders: typed props -> plain Kubernetes objects (kubernetes-types), shared by the cdk8s
// constructs and the Pulumi components. No framework imports here.
export * from './manifest';
export * from './package-version';
export * from './secure-defaults';
export * from './controller-rbac';
export * from './controller-deployment';
export * from './system-props';
export * from './system';
export * from './runtime-class';
export * from './sandbox-resources';
export type { TeamAgents } from './subjects';
export * from './team';
export * from './router';
export * from './crds';
