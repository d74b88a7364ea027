// A reconciler driven the way the runtime's worker drives it, for unit tests: each pass's deferred work goes through
// a real WorkGate (run at once, or held and the key recorded as requeued when the gate wakes it).
import { settleDeferred, type Reconciler } from '../../lib/controller-runtime/controller';
import { openGate, type WorkGate } from '../../lib/controller-runtime/work-gate';

export interface WorkerPass {
  /** One pass plus its deferred work; resolves with the requeue the worker would schedule. */
  reconcile(key: string): Promise<{ requeueAfter?: number }>;
  /** Keys the gate woke, in order. */
  readonly requeued: string[];
}

export function workerFor(controller: string, reconciler: Reconciler, gate: WorkGate = openGate): WorkerPass {
  const requeued: string[] = [];
  return {
    requeued,
    async reconcile(key) {
      const result = await reconciler.reconcile(key);
      return { requeueAfter: await settleDeferred(gate, `${controller}:${key}`, result, () => requeued.push(key)) };
    },
  };
}
