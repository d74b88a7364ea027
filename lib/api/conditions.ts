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
];

/** SandboxClaim event reasons (Normal events on the claim; off with --disable-claim-events). */
export const CLAIM_EVENT = {
  sandboxAdopted: 'SandboxAdopted',
  sandboxProvisioned: 'SandboxProvisioned',
  claimExpired: 'ClaimExpired',
} as const;

/** Warm-pool event reasons. */
export const WARM_POOL_EVENT = {
  notProgressing: 'WarmPoolNotProgressing',
  progressing: 'WarmPoolProgressing',
  /** Our addition: the pool's SandboxTemplate does not exist, so nothing can be created. */
  templateNotFound: 'TemplateNotFound',
  /** Our addition: creating members failed (quota, admission policy, RBAC…); the message carries the API error. */
  failedCreate: 'FailedCreate',
} as const;
