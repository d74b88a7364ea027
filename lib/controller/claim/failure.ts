// ClaimFailure: a reconcile outcome that becomes the claim's Ready=False reason, and how the controller retries it.
import { CLAIM_REASON } from '../../api/conditions';

/**
 * How a failed pass is retried: `backoff` (exponential, the error is unexpected), `none` (terminal until the claim
 * or a watched object changes), or a fixed delay that also recovers if the watch event is missed.
 */
export type Retry = 'backoff' | 'none' | { afterMs: number };

/** A failure with the Ready reason it reports on the claim. */
export class ClaimFailure extends Error {
  constructor(readonly reason: string, message: string, readonly retry: Retry) {
    super(message);
    this.name = 'ClaimFailure';
  }
}

/** Missing pools/templates are re-checked on their create events; the delay only covers a lost event. */
const MISSING_DEPENDENCY_RECHECK_MS = 60_000;

export const failures = {
  warmPoolNotFound: (pool: string) =>
    new ClaimFailure(CLAIM_REASON.warmPoolNotFound, `SandboxWarmPool "${pool}" not found`, { afterMs: MISSING_DEPENDENCY_RECHECK_MS }),
  templateNotFound: (template: string, pool: string) =>
    new ClaimFailure(CLAIM_REASON.templateNotFound, `SandboxTemplate "${template}" (referenced by SandboxWarmPool "${pool}") not found`, { afterMs: MISSING_DEPENDENCY_RECHECK_MS }),
  /** Re-checked when the template's Ready condition changes; the delay only covers a lost event. */
  networkPolicyNotReady: (message: string) =>
    new ClaimFailure(CLAIM_REASON.networkPolicyNotReady, `${message}; no sandbox is bound until it is`, { afterMs: MISSING_DEPENDENCY_RECHECK_MS }),
  invalidMetadata: (message: string) => new ClaimFailure(CLAIM_REASON.invalidMetadata, message, 'none'),
  envRejected: (message: string) => new ClaimFailure(CLAIM_REASON.envVarsInjectionRejected, message, 'none'),
  volumeClaimTemplates: (message: string) => new ClaimFailure(CLAIM_REASON.volumeClaimTemplatesError, message, 'none'),
  sandboxMissing: (name: string) => new ClaimFailure(CLAIM_REASON.sandboxMissing, `Sandbox "${name}" does not exist`, 'none'),
  /** A plain error: reported as ReconcilerError and retried with backoff. */
  reconciler: (message: string) => new ClaimFailure(CLAIM_REASON.reconcilerError, `Error seen: ${message}`, 'backoff'),
};

/** Any thrown value as a ClaimFailure (unexpected errors become ReconcilerError with backoff). */
export function asClaimFailure(err: unknown): ClaimFailure {
  if (err instanceof ClaimFailure) return err;
  return failures.reconciler(err instanceof Error ? err.message : String(err));
}
