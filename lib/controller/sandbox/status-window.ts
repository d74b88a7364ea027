// The start-up window of --sandbox-status-coalesce-window: how long a young Sandbox's not-yet-Ready status writes may
// still be held back. A starting Pod moves through Pending → scheduled → Running within about a second, and writing
// each step costs the API server one status PATCH per warm-pool refill; holding them until the deadline (or until
// Ready turns True, which is never held) makes the start one or two writes.
import { CONDITION, SANDBOX_REASON } from '../../api/conditions';
import type { SandboxStatus } from '../../api/types';
import { findCondition } from '../shared/condition-list';

/** metadata.creationTimestamp is truncated to the second, so the Sandbox may really be up to this much younger. */
const CREATION_TIMESTAMP_RESOLUTION_MS = 1000;

/**
 * True for a status of a Sandbox that is starting normally and is not Ready yet. Every other Ready reason (reconcile
 * error, MultiplePods, suspended, expired, Pod Failed/Succeeded) and Ready=True must be written at once.
 */
export function isStartingStatus(status: SandboxStatus): boolean {
  return findCondition(status.conditions, CONDITION.ready)?.reason === SANDBOX_REASON.dependenciesNotReady;
}

export class StatusWindow {
  /** When this process first saw each Sandbox that was still young enough to be in its window. */
  private readonly firstSeen = new Map<string, number>();

  /** `windowMs` 0 turns holding off. */
  constructor(private readonly windowMs: number) {}

  /**
   * Called on every pass (it records first sight): the milliseconds left in the Sandbox's window, 0 once it is over.
   * The window starts at the later of creationTimestamp and this process's first sight, so neither the timestamp's
   * truncation nor a controller restart mid-start can shorten it, and a Sandbox older than the window plus the
   * truncation is never held, however late this process first sees it.
   */
  remaining(key: string, creationTimestamp: string | undefined, now: number): number {
    const created = Date.parse(creationTimestamp ?? '');
    if (this.windowMs <= 0 || Number.isNaN(created)) return 0;
    const horizon = created + CREATION_TIMESTAMP_RESOLUTION_MS + this.windowMs;
    let seen = this.firstSeen.get(key);
    if (seen === undefined) {
      if (now >= horizon) return 0;
      seen = now;
      this.firstSeen.set(key, seen);
    }
    const deadline = Math.max(created, seen) + this.windowMs;
    if (now < deadline) return deadline - now;
    // Past both the deadline and the horizon, a new first sight could not reopen the window: the entry can go.
    if (now >= horizon) this.firstSeen.delete(key);
    return 0;
  }

  /** The Sandbox is gone (or being deleted). */
  forget(key: string): void {
    this.firstSeen.delete(key);
  }

  /** Sandboxes currently remembered (for tests: entries must not pile up). */
  get size(): number {
    return this.firstSeen.size;
  }
}
