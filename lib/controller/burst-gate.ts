// Claims first. While claims keep arriving, writes that no client is waiting on (pool refills, Pod metadata
// follow-ups of adopted Sandboxes, Events) hold back until the claims pause, so a busy API server spends its CPU on
// the claim path. A bounded wait keeps a steady stream of claims from starving them.

export interface BurstGateOptions {
  /** No claim for this long ends a burst; 0 disables the gate. */
  quietMs: number;
  /** Longest a background write waits for the burst to end. */
  maxDeferralMs: number;
  /** Told the kind of each piece of work as it is first held back (the key up to its first ':'), for a metric. */
  onHold?: (work: string) => void;
  /** Injectable clock (ms). @default Date.now */
  now?: () => number;
}

export class BurstGate {
  private lastArrival = Number.NEGATIVE_INFINITY;
  /** When each deferred piece of work (by key) was first held back. */
  private readonly heldSince = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: BurstGateOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A gate that never holds anything back. */
  static open(): BurstGate {
    return new BurstGate({ quietMs: 0, maxDeferralMs: 0 });
  }

  /** A claim arrived that the controller must serve. */
  claimArrived(): void {
    this.lastArrival = this.now();
  }

  /**
   * Ms the background work `key` should still wait (0 = go now). The first call that holds it back starts its bounded
   * wait; a call that lets it through forgets it.
   */
  wait(key: string): number {
    const now = this.now();
    const sinceQuiet = now - this.lastArrival;
    if (this.options.quietMs <= 0 || sinceQuiet >= this.options.quietMs) {
      this.heldSince.delete(key);
      return 0;
    }
    const since = this.heldSince.get(key) ?? now;
    const left = Math.min(this.options.quietMs - sinceQuiet, since + this.options.maxDeferralMs - now);
    if (left <= 0) {
      this.heldSince.delete(key);
      return 0;
    }
    if (!this.heldSince.has(key)) this.options.onHold?.(key.split(':', 1)[0]);
    this.heldSince.set(key, since);
    return left;
  }

  /** Drops the memory of `key` (its object is gone). */
  forget(key: string): void {
    this.heldSince.delete(key);
  }
}
