// agent-sandbox-kit/pulumi: Pulumi components over the same pure builders and guardrails as the cdk8s
// constructs. One Pulumi resource per Kubernetes object; tokens `agent-sandbox-kit:index:<Component>`.
export { AgentSandboxSystem, type AgentSandboxSystemArgs } from './agent-sandbox-system';
export { SandboxCrds, type SandboxCrdsArgs } from './sandbox-crds';
export { SandboxRuntimeClass, type SandboxRuntimeClassArgs } from './sandbox-runtime-class';
export { SandboxRouter, type SandboxRouterArgs } from './sandbox-router';
export { TeamSandboxes, type TeamSandboxesArgs, type TeamTemplateArgs, type TeamWarmPoolArgs } from './team-sandboxes';
export {
  Sandbox, SandboxClaim, SandboxTemplate, SandboxWarmPool,
  type SandboxArgs, type SandboxClaimArgs, type SandboxTemplateArgs, type SandboxWarmPoolArgs, type GuardedArgs,
} from './sandbox-resources';
export { ManifestComponent, typeToken } from './manifest-component';
export type { DeepInput } from './deferred-inputs';
