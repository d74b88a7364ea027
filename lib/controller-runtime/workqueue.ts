// Work queue with client-go semantics: a dirty set de-duplicates keys, a key is never handed to two workers at once,
// a key dirtied while being processed is re-queued on done(), delayed adds keep the earliest deadline, rate-limited
// re-adds use a RateLimiter, and shutdown can drain in-flight work.
import { Fifo } from './fifo';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiters';

/** Hooks for workqueue_* metrics; all optional. */
export interface QueueObserver {
  added?(queue: string): void;
  depth?(queue: string, depth: number): void;
  /** Seconds a key waited between add and get. */
  queued?(queue: string, seconds: number): void;
  /** Seconds between get and done. */
  worked?(queue: string, seconds: number): void;
  retried?(queue: string): void;
}

export interface WorkQueueOptions {
  rateLimiter?: RateLimiter;
  observer?: QueueObserver;
}

export class WorkQueue {
  private readonly queue = new Fifo();
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly rateLimiter: RateLimiter;
  private readonly observer: QueueObserver;
  private shuttingDown = false;
  private drained?: () => void;

  constructor(readonly name: string, options: WorkQueueOptions = {}) {
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter();
    this.observer = options.observer ?? {};
  }

  /** Marks `key` as needing work. No-op when it is already waiting or the queue is shutting down. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.observer.added?.(this.name);
    this.dirty.add(key);
    this.addedAt.set(key, performance.now());
    if (this.processing.has(key)) return; // done() re-queues it
    this.enqueue(key);
  }

  /** Adds `key` after `delayMs`; an earlier pending deadline for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = performance.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Re-adds `key` after its rate-limited backoff (call when a reconcile failed). */
  addRateLimited(key: string): void {
    this.observer.retried?.(this.name);
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Resets the backoff of `key` (call when a reconcile succeeded). */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.retries(key);
  }

  /** Next key to work on; undefined once the queue is shut down and empty. Call done(key) when finished. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.startProcessing(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Finishes work on `key`; re-queues it when it was added again meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    const started = this.startedAt.get(key);
    this.startedAt.delete(key);
    if (started !== undefined) this.observer.worked?.(this.name, (performance.now() - started) / 1000);
    if (this.dirty.has(key)) this.enqueue(key);
    if (this.processing.size === 0) this.drained?.();
  }

  /** Keys waiting (not counting those being processed or delayed). */
  len(): number {
    return this.queue.length;
  }

  /** Keys currently handed to workers. */
  inFlight(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting keys; waiting get() calls resolve undefined. Queued keys are still handed out. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    if (this.queue.length === 0) for (const resolve of this.waiters.splice(0)) resolve(undefined);
  }

  /** shutdown(), then resolves once every key handed to a worker is done. */
  shutDownWithDrain(): Promise<void> {
    this.shutdown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => { this.drained = resolve; });
  }

  private enqueue(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) return waiter(this.startProcessing(key));
    this.queue.push(key);
    this.observer.depth?.(this.name, this.queue.length);
  }

  private startProcessing(key: string): string {
    this.processing.add(key);
    this.dirty.delete(key);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.observer.queued?.(this.name, (performance.now() - added) / 1000);
    this.startedAt.set(key, performance.now());
    this.observer.depth?.(this.name, this.queue.length);
    if (this.shuttingDown && this.queue.length === 0) for (const resolve of this.waiters.splice(0)) resolve(undefined);
    return key;
  }
}
