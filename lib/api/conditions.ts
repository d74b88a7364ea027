// Condition types and reasons written by the controllers (exact upstream strings).

export const CONDITION = {
  ready: 'Ready',
  suspended: 'Suspended',
  finished: 'Finished',
  podScheduled: 'PodScheduled',
  /** Ours: startup actions — Unknown while they run, True when all succeeded, False with the failure's reason. */
  actionsCompleted: 'ActionsCompleted',
} as const;

/** Reasons on the ActionsCompleted condition (ours). */
export const ACTIONS_REASON = {
  pending: 'ActionsPending',
  running: 'ActionsRunning',
  succeeded: 'ActionsSucceeded',
  failed: 'ActionFailed',
  timedOut: 'ActionTimedOut',
  interrupted: 'ActionInterrupted',
  shutdownTime: 'ShutdownTimeReached',
} as const;

/** Sandbox event reasons of our lifecycle additions. */
export const LIFECYCLE_EVENT = {
  actionsSucceeded: 'ActionsSucceeded',
  actionsFailed: 'ActionsFailed',
  suspended: 'SandboxSuspended',
  resumed: 'SandboxResumed',
} as const;

/** Reasons on Sandbox conditions. */
export const SANDBOX_REASON = {
  dependenciesReady: 'DependenciesReady',
  dependenciesNotReady: 'DependenciesNotReady',
  sandboxSuspended: 'SandboxSuspended',
  podSucceeded: 'PodSucceeded',
  podFailed: 'PodFailed',
  sandboxExpired: 'SandboxExpired',
  multiplePods: 'MultiplePods',
  /** A child (Pod, Service, PVC) the API server refuses as invalid (422): retrying cannot help, so no requeue. */
  invalidConfiguration: 'InvalidConfiguration',
  reconcilerError: 'ReconcilerError',
  notSuspended: 'NotSuspended',
  podTerminating: 'PodTerminating',
  podNotOwned: 'PodNotOwned',
  podStateUnknown: 'PodStateUnknown',
  podTerminated: 'PodTerminated',
  podSchedulingUnknown: 'PodSchedulingUnknown',
} as const;

/** Reasons on the SandboxClaim Ready condition (besides those forwarded from the Sandbox). */
export const CLAIM_REASON = {
  templateNotFound: 'TemplateNotFound',
  warmPoolNotFound: 'WarmPoolNotFound',
  adoptionConflict: 'AdoptionConflict',
  sandboxCreatePending: 'SandboxCreatePending',
  invalidMetadata: 'InvalidMetadata',
  envVarsInjectionRejected: 'EnvVarsInjectionRejected',
  volumeClaimTemplatesError: 'VolumeClaimTemplatesError',
  claimExpired: 'ClaimExpired',
  sandboxMissing: 'SandboxMissing',
  sandboxExpired: 'SandboxExpired',
  sandboxNotReady: 'SandboxNotReady',
  reconcilerError: 'ReconcilerError',
  /** Our addition: the template's managed NetworkPolicy does not exist yet, so no sandbox is bound. */
  networkPolicyNotReady: 'NetworkPolicyNotReady',
} as const;

/** Claim reasons after which waiting longer cannot help: SDKs fail fast on these. */
export const TERMINAL_CLAIM_REASONS: readonly string[] = [
  CLAIM_REASON.templateNotFound,
  CLAIM_REASON.warmPoolNotFound,
  CLAIM_REASON.invalidMetadata,
  CLAIM_REASON.envVarsInjectionRejected,
  CLAIM_REASON.volumeClaimTemplatesError,
  CLAIM_REASON.claimExpired,
  CLAIM_REASON.sandboxExpired,
  SANDBOX_REASON.invalidConfiguration,
];

/** SandboxClaim event reasons (Normal events on the claim; off with --disable-claim-events). */
export const CLAIM_EVENT = {
  sandboxAdopted: 'SandboxAdopted',
  sandboxProvisioned: 'SandboxProvisioned',
  claimExpired: 'ClaimExpired',
} as const;

/**
 * Reasons on the SandboxTemplate Ready condition (our addition: upstream templates have no status). Ready says whether
 * the template's NetworkPolicy is in place, the precondition for any sandbox pod built from the template.
 */
export const TEMPLATE_REASON = {
  /** Managed: the NetworkPolicy exists and matches the template. */
  networkPolicyReady: 'NetworkPolicyReady',
  /** Unmanaged: no NetworkPolicy is kept, nothing to wait for. */
  networkPolicyUnmanaged: 'NetworkPolicyUnmanaged',
  /** The API server refused the NetworkPolicy (the message carries its answer); also the Warning event's reason. */
  networkPolicyFailed: 'NetworkPolicyFailed',
  /** A NetworkPolicy of the same name that the template does not control is in the way; also the event's reason. */
  networkPolicyConflict: 'NetworkPolicyConflict',
} as const;

/**
 * The SandboxWarmPool condition saying why members cannot be created (our addition; the type and its meaning follow
 * a Deployment's ReplicaFailure). Present with status True while blocked, absent otherwise.
 */
export const WARM_POOL_CONDITION = { replicaFailure: 'ReplicaFailure' } as const;

/** Warm-pool event reasons. */
export const WARM_POOL_EVENT = {
  notProgressing: 'WarmPoolNotProgressing',
  progressing: 'WarmPoolProgressing',
  /** Our addition: the pool's SandboxTemplate does not exist, so nothing can be created. */
  templateNotFound: 'TemplateNotFound',
  /** Our addition: creating members failed (quota, admission policy, RBAC…); the message carries the API error. */
  failedCreate: 'FailedCreate',
  /** Our addition: the template's NetworkPolicy is not in place, so no member is created until it is. */
  networkPolicyNotReady: 'NetworkPolicyNotReady',
} as const;
