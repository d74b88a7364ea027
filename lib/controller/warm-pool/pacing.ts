// Optional refill pacing per pool: a replenish hold (wait `delayMs` after members were taken before refilling, so a
// burst of claims is not chased member by member) and a refill-rate token bucket (at most `rate` creations per
// second, capacity max(1, rate), starting full). Both are off by default.

export class ReplenishHold {
  private lastActive?: number;
  private holdUntil = 0;

  constructor(private readonly delayMs: number) {}

  /**
   * Observes the pool's active member count; call on every pass, full or not, so the count before a member is taken
   * is known. A drop that leaves the pool below `desired` (re)arms the hold; the first observation never does, and
   * neither does a scale-down.
   */
  observe(active: number, desired: number, now: number): void {
    if (this.delayMs <= 0) return;
    if (this.lastActive !== undefined && active < this.lastActive && active < desired) this.holdUntil = now + this.delayMs;
    this.lastActive = active;
  }

  /** Ms left to hold before creating (0 = go ahead). */
  remaining(now: number): number {
    return Math.max(0, this.holdUntil - now);
  }
}

export class RefillBucket {
  private tokens: number;
  private readonly capacity: number;
  private last: number;

  /** `rate` creations per second; 0 or less means unlimited. */
  constructor(private readonly rate: number, now: number) {
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
    this.last = now;
  }

  /** Grants up to `wanted` creations now. */
  take(wanted: number, now: number): number {
    if (this.rate <= 0) return wanted;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    const granted = Math.min(wanted, Math.floor(this.tokens));
    this.tokens -= granted;
    return granted;
  }

  /** Returns tokens that were granted but not used. */
  refund(n: number): void {
    if (this.rate > 0) this.tokens = Math.min(this.capacity, this.tokens + n);
  }

  /** Ms until the next whole token. */
  msUntilNextToken(): number {
    if (this.rate <= 0 || this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}
