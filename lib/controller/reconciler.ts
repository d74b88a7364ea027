// Controller: one work queue plus a pool of workers calling a Reconciler; results drive forget / delayed requeue /
// rate-limited retry exactly like controller-runtime. Also the event-handler helpers that map objects to keys.
import { objectKey, type KubeObject } from '../kube/types';
import type { EventHandlers } from './informer';
import { silentLogger, type Logger } from './logger';
import type { ControllerMetrics } from './metrics';
import { WorkQueue } from './workqueue';
import type { RateLimiter } from './rate-limiters';

export interface ReconcileResult {
  /** Reconcile this key again after this many ms (e.g. at shutdownTime), even if nothing changes. */
  requeueAfter?: number;
}

/** What a controller implements: bring the world in line with the object behind `key` (`namespace/name`). */
export interface Reconciler {
  reconcile(key: string): Promise<ReconcileResult | void>;
  /** Called once as the workers start (after the caches synced, and only on the leader). */
  started?(): void;
}

export interface ControllerOptions {
  name: string;
  reconciler: Reconciler;
  /** Parallel reconciles (never two on one key). @default 1 */
  workers?: number;
  rateLimiter?: RateLimiter;
  metrics?: ControllerMetrics;
  logger?: Logger;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly workers: number;
  private readonly log: Logger;
  private running?: Promise<void>;

  constructor(private readonly options: ControllerOptions) {
    this.name = options.name;
    this.workers = options.workers ?? 1;
    if (!(this.workers >= 1)) throw new Error(`controller ${this.name}: workers must be >= 1`);
    this.queue = new WorkQueue(options.name, { rateLimiter: options.rateLimiter, observer: options.metrics?.queueObserver });
    this.log = (options.logger ?? silentLogger).child({ controller: options.name });
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Starts the workers; resolves once the queue is shut down and every worker has finished. */
  start(): Promise<void> {
    this.options.metrics?.maxConcurrentReconciles.set({ controller: this.name }, this.workers);
    if (!this.running) this.options.reconciler.started?.();
    this.running ??= Promise.all(Array.from({ length: this.workers }, () => this.worker())).then(() => undefined);
    return this.running;
  }

  isStarted(): boolean {
    return this.running !== undefined;
  }

  /** Stops taking new keys and waits for in-flight reconciles. */
  async stop(): Promise<void> {
    await this.queue.shutDownWithDrain();
    await this.running;
  }

  /** Handlers that enqueue the object itself on every add, update and delete. */
  enqueueSelf<T extends KubeObject>(): EventHandlers<T> {
    return this.enqueueMapped<T>((obj) => [objectKey(obj)]);
  }

  /** Handlers that enqueue the controlling owner of kind `ownerKind` (e.g. a Pod's Sandbox). */
  enqueueOwner<T extends KubeObject>(ownerKind: string): EventHandlers<T> {
    return this.enqueueMapped<T>((obj) => {
      const owner = obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === ownerKind);
      return owner ? [obj.metadata?.namespace ? `${obj.metadata.namespace}/${owner.name}` : owner.name] : [];
    });
  }

  /** Handlers that enqueue whatever keys `map` returns for the object (old and new object on updates). */
  enqueueMapped<T extends KubeObject>(map: (obj: T) => string[]): EventHandlers<T> {
    const add = (obj: T) => { for (const key of map(obj)) this.queue.add(key); };
    return {
      onAdd: add,
      onUpdate: (oldObj, newObj) => { add(oldObj); add(newObj); },
      onDelete: add,
    };
  }

  private async worker(): Promise<void> {
    const metrics = this.options.metrics;
    const labels = { controller: this.name };
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = performance.now();
      metrics?.activeWorkers.inc(labels);
      let result: 'success' | 'requeue_after' | 'error' = 'success';
      try {
        const res = await this.options.reconciler.reconcile(key);
        this.queue.forget(key);
        if (res && res.requeueAfter !== undefined && res.requeueAfter > 0) {
          result = 'requeue_after';
          this.queue.addAfter(key, res.requeueAfter);
        }
      } catch (err) {
        result = 'error';
        metrics?.reconcileErrors.inc(labels);
        this.log.error('reconcile failed', { key, error: err instanceof Error ? err.message : String(err), retries: this.queue.numRequeues(key) });
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
        metrics?.activeWorkers.dec(labels);
        metrics?.reconcileTotal.inc({ ...labels, result });
        metrics?.reconcileTime.observe(labels, (performance.now() - started) / 1000);
      }
    }
  }
}
