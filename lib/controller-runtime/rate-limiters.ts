// Work-queue rate limiters with client-go semantics: per-key exponential backoff, an overall token bucket, and the
// max of both (DefaultControllerRateLimiter: 5 ms -> 1000 s per key, 10 qps / burst 100 overall).
import { TokenBucket, type Clock, monotonicClock } from '../kube/token-bucket';

/** Decides how long a key waits before it is retried. */
export interface RateLimiter {
  /** Delay in ms for the next retry of `key` (records one more failure). */
  when(key: string): number;
  /** Clears the failure history of `key` (call after a successful reconcile). */
  forget(key: string): void;
  /** Failures recorded for `key` since the last forget. */
  retries(key: string): number;
}

/** base * 2^failures, capped at max. */
export class ExponentialBackoffLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(private readonly baseMs = 5, private readonly maxMs = 1_000_000) {}

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** Overall rate across all keys; does not track individual keys. */
export class BucketLimiter implements RateLimiter {
  private readonly bucket: TokenBucket;

  constructor(qps = 10, burst = 100, clock: Clock = monotonicClock) {
    this.bucket = new TokenBucket(qps, burst, clock);
  }

  when(): number {
    return this.bucket.reserve();
  }

  forget(): void {}

  retries(): number {
    return 0;
  }
}

/** The largest delay of its parts. */
export class MaxOfLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(...this.limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  retries(key: string): number {
    return Math.max(...this.limiters.map((l) => l.retries(key)));
  }
}

/** client-go's DefaultControllerRateLimiter. */
export function defaultControllerRateLimiter(): RateLimiter {
  return new MaxOfLimiter(new ExponentialBackoffLimiter(5, 1_000_000), new BucketLimiter(10, 100));
}
