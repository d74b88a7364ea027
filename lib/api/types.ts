// Wire-format TypeScript types of Sandbox, SandboxTemplate, SandboxWarmPool and SandboxClaim (v1beta1).
// Field names, optionality and enums match upstream exactly; the CRD schemas in ./crds mirror these.

import type { Condition, ObjectMeta } from 'kubernetes-types/meta/v1';
import type { EnvVar, PersistentVolumeClaimSpec, PodSpec } from 'kubernetes-types/core/v1';
import type { NetworkPolicyEgressRule, NetworkPolicyIngressRule } from 'kubernetes-types/networking/v1';

export type { Condition, ObjectMeta, PodSpec, PersistentVolumeClaimSpec };

/** Labels and annotations for the pod; only these two metadata fields are honoured. */
export interface PodMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PodTemplate {
  metadata?: PodMetadata;
  spec: PodSpec;
}

export interface EmbeddedObjectMetadata {
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** One PVC per entry, named `<metadata.name>-<sandbox name>`, mounted as volume `<metadata.name>`. */
export interface PersistentVolumeClaimTemplate {
  metadata?: EmbeddedObjectMetadata;
  spec: PersistentVolumeClaimSpec;
}

/** What a sandbox is made of; shared by Sandbox and SandboxTemplate. */
export interface SandboxBlueprint {
  podTemplate: PodTemplate;
  volumeClaimTemplates?: PersistentVolumeClaimTemplate[];
  /** true: keep a headless Service; false: delete an owned one; unset: keep an existing owned one, never create. */
  service?: boolean;
}

export type ShutdownPolicy = 'Delete' | 'Retain';
export type OperatingMode = 'Running' | 'Suspended';

/** An environment variable of a startup action. */
export interface ActionEnvVar {
  name: string;
  value: string;
}

/** One startup action (our addition): a command run in the sandbox's main container through its runtime. */
export interface SandboxAction {
  /** Names the action in status and Events. @default "action-<index>" */
  name?: string;
  /** Program and arguments (no shell unless you name one). At least one element, the first non-empty. */
  command: string[];
  /** @default - the runtime's environment */
  env?: ActionEnvVar[];
  /** Relative to the runtime's base directory. @default - the base directory */
  workingDir?: string;
  /**
   * Killed (and TimedOut) after this many seconds; the runtime refuses more than its SANDBOX_ACTION_TIMEOUT_MAX_SECONDS
   * (a day unless the template lowers it). @default - the runtime's exec cap (300 s unless SANDBOX_EXEC_TIMEOUT_SECONDS)
   */
  timeoutSeconds?: number;
}

/** What happens to a sandbox when its actions end or at shutdownTime, whichever comes first. */
export type CompletionPolicy = 'Suspend' | 'Delete' | 'KeepRunning';

/** Startup actions and their completion policy (our addition to v1beta1). */
export interface SandboxStartup {
  /** Run in order after the sandbox is first Ready; an action runs only after the previous one exited 0. */
  actions: SandboxAction[];
  /** @default Suspend */
  completionPolicy?: CompletionPolicy;
  /** true: a failed action leaves the sandbox running for debugging instead of applying completionPolicy. @default false */
  keepOnFailure?: boolean;
}

/** Lifecycle fields of ours shared by Sandbox, SandboxTemplate (defaults for claims) and SandboxClaim. */
export interface SandboxLifecycleExtensions {
  /** @default - no startup actions */
  startup?: SandboxStartup;
  /** Suspend the sandbox after this many seconds without activity (at least 60). @default - never */
  idleTimeoutSeconds?: number;
}

export type ActionState = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'TimedOut' | 'Interrupted' | 'Skipped';

/** What one startup action did. */
export interface SandboxActionStatus {
  name: string;
  state: ActionState;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
  /** The last few KiB of stdout and stderr, interleaved. */
  output?: string;
  message?: string;
}

export interface SandboxSpec extends SandboxBlueprint, SandboxLifecycleExtensions {
  /** Absolute expiry (RFC 3339). */
  shutdownTime?: string;
  /** @default Retain */
  shutdownPolicy?: ShutdownPolicy;
  /** @default Running */
  operatingMode?: OperatingMode;
}

export interface SandboxStatus {
  serviceFQDN?: string;
  service?: string;
  conditions?: Condition[];
  selector?: string;
  podIPs?: string[];
  nodeName?: string;
  /** Our addition: one entry per startup action, in order. */
  actions?: SandboxActionStatus[];
}

export interface Sandbox {
  apiVersion: 'agents.x-k8s.io/v1beta1';
  kind: 'Sandbox';
  metadata: ObjectMeta;
  spec: SandboxSpec;
  status?: SandboxStatus;
}

export type NetworkPolicyManagement = 'Managed' | 'Unmanaged';
export type EnvVarsInjectionPolicy = 'Allowed' | 'Overrides' | 'Disallowed';
export type VolumeClaimTemplatesPolicy = 'Disallowed' | 'Allowed' | 'Overrides';

export interface SandboxNetworkPolicy {
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

export interface SandboxTemplateSpec extends SandboxBlueprint, SandboxLifecycleExtensions {
  networkPolicy?: SandboxNetworkPolicy;
  /** @default Managed */
  networkPolicyManagement?: NetworkPolicyManagement;
  /** @default Disallowed */
  envVarsInjectionPolicy?: EnvVarsInjectionPolicy;
  /** @default Disallowed */
  volumeClaimTemplatesPolicy?: VolumeClaimTemplatesPolicy;
}

/** Our addition (upstream templates have no status): whether the template's NetworkPolicy is in place. */
export interface SandboxTemplateStatus {
  conditions?: Condition[];
}

export interface SandboxTemplate {
  apiVersion: 'extensions.agents.x-k8s.io/v1beta1';
  kind: 'SandboxTemplate';
  metadata: ObjectMeta;
  spec: SandboxTemplateSpec;
  status?: SandboxTemplateStatus;
}

export type UpdateStrategyType = 'Recreate' | 'OnReplenish';

export interface SandboxWarmPoolSpec {
  /** @default 1 */
  replicas?: number;
  sandboxTemplateRef: { name: string };
  updateStrategy?: { /** @default OnReplenish */ type?: UpdateStrategyType };
}

export interface SandboxWarmPoolStatus {
  replicas?: number;
  readyReplicas?: number;
  selector?: string;
  observedGeneration?: number;
  /** Our addition: why members cannot be created (ReplicaFailure), absent while they can. */
  conditions?: Condition[];
}

export interface SandboxWarmPool {
  apiVersion: 'extensions.agents.x-k8s.io/v1beta1';
  kind: 'SandboxWarmPool';
  metadata: ObjectMeta;
  spec: SandboxWarmPoolSpec;
  status?: SandboxWarmPoolStatus;
}

export type ClaimShutdownPolicy = 'Delete' | 'DeleteForeground' | 'Retain';

export interface ClaimLifecycle {
  shutdownTime?: string;
  ttlSecondsAfterFinished?: number;
  /** @default Retain */
  shutdownPolicy?: ClaimShutdownPolicy;
}

/** An environment variable a claim injects; without containerName it goes to the first container. */
export interface ClaimEnvVar extends Pick<EnvVar, 'name'> {
  value: string;
  containerName?: string;
}

export interface SandboxClaimSpec extends SandboxLifecycleExtensions {
  warmPoolRef: { name: string };
  lifecycle?: ClaimLifecycle;
  additionalPodMetadata?: PodMetadata;
  env?: ClaimEnvVar[];
  volumeClaimTemplates?: PersistentVolumeClaimTemplate[];
}

export interface SandboxClaimStatus {
  conditions?: Condition[];
  sandbox?: { name?: string; podIPs?: string[] };
  /** Our addition: the bound Sandbox's status.actions, mirrored. */
  actions?: SandboxActionStatus[];
}

export interface SandboxClaim {
  apiVersion: 'extensions.agents.x-k8s.io/v1beta1';
  kind: 'SandboxClaim';
  metadata: ObjectMeta;
  spec: SandboxClaimSpec;
  status?: SandboxClaimStatus;
}
