// Controller: one work queue plus a pool of workers calling a Reconciler; results drive forget / delayed requeue /
// rate-limited retry exactly like controller-runtime, and deferred background work goes through the process's
// WorkGate. Also the event-handler helpers that map objects to keys.
import type { EventHandlers } from '../kube/informer';
import { groupOf, objectKey, type KubeObject } from '../kube/types';
import { silentLogger, type Logger } from './logger';
import type { RuntimeMetrics } from './metrics';
import type { RateLimiter } from './rate-limiters';
import { openGate, type WorkGate } from './work-gate';
import { WorkQueue } from './workqueue';

/** Part of a pass that nobody waits on (e.g. a refill, a follow-up metadata patch): it runs when the gate allows. */
export interface DeferredWork {
  /** What kind of work it is (a metric label), e.g. `refill`. */
  kind: string;
  /**
   * Does the work; built by the pass, so it acts on what that pass saw. May ask for a requeue of its own (the earlier
   * of the two wins); a throw retries the key with backoff.
   */
  run(): Promise<Omit<ReconcileResult, 'deferred'> | void>;
}

/** What one reconcile pass tells the runtime. */
export interface ReconcileResult {
  /** Reconcile this key again after this many ms (e.g. at shutdownTime), even if nothing changes. */
  requeueAfter?: number;
  /**
   * Work this pass left to the worker: run at once when the gate lets it through; otherwise the gate wakes the key
   * when it may go, and that pass decides again.
   */
  deferred?: DeferredWork;
}

/** What a controller implements: bring the world in line with the object behind `key` (`namespace/name`). */
export interface Reconciler {
  reconcile(key: string): Promise<ReconcileResult>;
  /** Called once as the workers start (after the caches synced, and only on the leader). */
  started?(): void;
}

/** The kind of a controlling owner, matched on API group and kind (never the version). */
export interface OwnerKind {
  group: string;
  kind: string;
}

export interface ControllerOptions {
  name: string;
  reconciler: Reconciler;
  /** Parallel reconciles (never two on one key). @default 1 */
  workers?: number;
  rateLimiter?: RateLimiter;
  metrics?: RuntimeMetrics;
  logger?: Logger;
  /** Decides when deferred work may run. @default openGate */
  gate?: WorkGate;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly workers: number;
  private readonly log: Logger;
  private readonly gate: WorkGate;
  private running?: Promise<void>;

  constructor(private readonly options: ControllerOptions) {
    this.name = options.name;
    this.workers = options.workers ?? 1;
    if (!(this.workers >= 1)) throw new Error(`controller ${this.name}: workers must be >= 1`);
    this.queue = new WorkQueue(options.name, { rateLimiter: options.rateLimiter, observer: options.metrics?.queueObserver });
    this.log = (options.logger ?? silentLogger).child({ controller: options.name });
    this.gate = options.gate ?? openGate;
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

  /** Handlers that enqueue the controlling owner of kind `owner` (e.g. a Pod's Sandbox). */
  enqueueOwner<T extends KubeObject>(owner: OwnerKind): EventHandlers<T> {
    return this.enqueueMapped<T>((obj) => {
      const ref = obj.metadata?.ownerReferences?.find((r) => r.controller);
      if (!ref || ref.kind !== owner.kind || groupOf(ref.apiVersion) !== owner.group) return [];
      return [obj.metadata?.namespace ? `${obj.metadata.namespace}/${ref.name}` : ref.name];
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
        const requeueAfter = await settleDeferred(this.gate, `${this.name}:${key}`, res, () => this.queue.add(key));
        this.queue.forget(key);
        if (requeueAfter !== undefined) {
          result = 'requeue_after';
          this.queue.addAfter(key, requeueAfter);
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

/**
 * What a worker does with a pass's result: runs its deferred work unless `gate` holds it (then `wake` is called once
 * it may go; a pass with nothing deferred drops what the gate remembers of `id`). Resolves with the requeue delay
 * (the earlier of the pass's and the deferred work's), or undefined for none.
 */
export async function settleDeferred(gate: WorkGate, id: string, result: ReconcileResult, wake: () => void): Promise<number | undefined> {
  const delays = [result.requeueAfter];
  if (!result.deferred) gate.forget(id);
  else if (!gate.holds(id, result.deferred.kind, wake)) delays.push((await result.deferred.run())?.requeueAfter);
  const positive = delays.filter((ms): ms is number => ms !== undefined && ms > 0);
  return positive.length > 0 ? Math.min(...positive) : undefined;
}
