// Review results kept per key with a TTL, one review in flight per key however many requests wait for it (no
// thundering herd when a hot entry expires), refreshed in the background shortly before expiry, and served past
// expiry while the API server cannot answer (for a bounded grace), so a brief outage refuses nobody it knew.

/** Thrown by a loader when the answer is unknown (API server unreachable, budget spent): stale entries may serve. */
export class ReviewUnavailable extends Error {
  constructor(message: string, readonly status: 429 | 503, readonly retryAfterSeconds: number) {
    super(message);
  }
}

export interface Reviewed<V> {
  readonly value: V;
  /** How long `value` may be reused. */
  readonly ttlMs: number;
}

export interface ReviewCacheOptions {
  /** Entries kept (least recently stored dropped first). */
  readonly maxEntries: number;
  /** How long an expired entry still answers while its refresh is unavailable. */
  readonly staleGraceMs: number;
  /** Share of the TTL before expiry in which a hit starts a background refresh. @default 0.2 */
  readonly refreshAheadFraction?: number;
  /** @default Date.now */
  readonly clock?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly storedAt: number;
  readonly expiresAt: number;
}

export class ReviewCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inflight = new Map<string, Promise<V>>();
  private readonly clock: () => number;

  constructor(private readonly options: ReviewCacheOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** True when `key` has an entry, fresh or not (its owner was reviewed before). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * The value for `key`: cached while fresh, else from `load` (shared by concurrent callers). When `load` throws
   * ReviewUnavailable and an entry expired less than the grace ago, that entry answers instead.
   */
  async get(key: string, load: () => Promise<Reviewed<V>>): Promise<V> {
    const now = this.clock();
    const entry = this.entries.get(key);
    if (entry && now < entry.expiresAt) {
      const refreshFrom = entry.expiresAt - (entry.expiresAt - entry.storedAt) * (this.options.refreshAheadFraction ?? 0.2);
      if (now >= refreshFrom) this.load(key, load).catch(() => undefined);
      return entry.value;
    }
    try {
      return await this.load(key, load);
    } catch (err) {
      const stale = this.entries.get(key);
      if (err instanceof ReviewUnavailable && stale && this.clock() < stale.expiresAt + this.options.staleGraceMs) return stale.value;
      throw err;
    }
  }

  private load(key: string, load: () => Promise<Reviewed<V>>): Promise<V> {
    const running = this.inflight.get(key);
    if (running) return running;
    const started = load().then(({ value, ttlMs }) => {
      this.store(key, value, ttlMs);
      return value;
    }).finally(() => this.inflight.delete(key));
    this.inflight.set(key, started);
    return started;
  }

  private store(key: string, value: V, ttlMs: number): void {
    const now = this.clock();
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt: now, expiresAt: now + ttlMs });
    if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
