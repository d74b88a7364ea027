// Token bucket (like golang.org/x/time/rate): the client-side QPS/burst limiter and the work queue's overall limiter.

/** Milliseconds clock; injectable so tests can drive time. */
export type Clock = () => number;
export const monotonicClock: Clock = () => performance.now();

/** Refills `qps` tokens per second up to `burst`; each request takes one, waiting when the bucket is empty. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly qps: number, readonly burst: number, private readonly clock: Clock = monotonicClock) {
    if (!(qps > 0) || !Number.isFinite(qps)) throw new Error(`TokenBucket: qps must be a positive finite number, got ${qps}`);
    if (!(burst >= 1)) throw new Error(`TokenBucket: burst must be >= 1, got ${burst}`);
    this.tokens = burst;
    this.last = clock();
  }

  /** Takes a token now (possibly going into debt) and returns how many ms the caller must wait before using it. */
  reserve(): number {
    this.charge(1);
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /**
   * Takes `tokens` now, going into debt (at most `maxDebt`) if need be: later takers wait (or are refused) until it is
   * repaid.
   */
  charge(tokens: number, maxDebt = Infinity): void {
    this.refill();
    this.tokens = Math.max(this.tokens - tokens, -maxDebt);
  }

  /** Takes a token if one is available now, never going into debt (for callers that answer 429 instead of waiting). */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Resolves once a token is available. */
  async take(): Promise<void> {
    const delay = this.reserve();
    if (delay > 0) await sleep(delay);
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => { clearTimeout(timer); resolve(); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
