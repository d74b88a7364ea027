// Controller worker pool: bounded parallelism, per-key exclusivity, requeueAfter, rate-limited retry, drain, metrics,
// and the reconciler's started() hook.
import { Controller, ExponentialBackoffLimiter, type Reconciler } from '../../../lib/controller-runtime';
import { ControllerMetrics } from '../../../lib/controller/metrics';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Polls until `done()` holds; a deadline instead of a fixed sleep, so a loaded machine cannot fail the test. */
async function eventually(done: () => boolean, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('condition not reached before the deadline');
    await tick(5);
  }
}

describe('Controller', () => {
  it('tells the reconciler once that its workers started, before the first reconcile', async () => {
    const calls: string[] = [];
    const reconciler: Reconciler = {
      started: () => calls.push('started'),
      async reconcile(key) { calls.push(key); return {}; },
    };
    const c = new Controller({ name: 'hook', reconciler });
    c.enqueue('ns/a');
    expect(calls).toEqual([]);
    const running = c.start();
    void c.start();
    await eventually(() => calls.length === 2);
    await c.stop();
    await running;
    expect(calls).toEqual(['started', 'ns/a']);
  });

  it('runs at most `workers` reconciles at once and never two for one key', async () => {
    let active = 0;
    let peak = 0;
    let finished = 0;
    const perKey = new Map<string, number>();
    const reconciler: Reconciler = {
      async reconcile(key) {
        active++; peak = Math.max(peak, active);
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        expect(perKey.get(key)).toBe(1);
        await tick(5);
        perKey.set(key, perKey.get(key)! - 1);
        active--;
        finished++;
        return {};
      },
    };
    const c = new Controller({ name: 'pool', reconciler, workers: 3 });
    const running = c.start();
    for (let round = 0; round < 3; round++) for (let i = 0; i < 10; i++) c.enqueue(`ns/k${i}`);
    await eventually(() => finished >= 10 && c.queue.len() === 0 && active === 0);
    await c.stop();
    await running;
    expect(peak).toBe(3);
  });

  it('requeues after requeueAfter, retries errors with backoff, and counts results', async () => {
    const calls: string[] = [];
    let failures = 2;
    const metrics = new ControllerMetrics({ gitVersion: 'test' }, { processMetrics: false });
    const c = new Controller({
      name: 'results', workers: 1, metrics, rateLimiter: new ExponentialBackoffLimiter(5, 100),
      reconciler: {
        async reconcile(key) {
          calls.push(key);
          if (key === 'ns/fail' && failures-- > 0) throw new Error('boom');
          if (key === 'ns/timer' && calls.filter((k) => k === key).length === 1) return { requeueAfter: 20 };
          return {};
        },
      },
    });
    void c.start();
    c.enqueue('ns/fail');
    c.enqueue('ns/timer');
    await eventually(() => calls.filter((k) => k === 'ns/fail').length >= 3 && calls.filter((k) => k === 'ns/timer').length >= 2);
    await tick(30); // room for any unexpected extra call to show up before counting
    await c.stop();
    expect(calls.filter((k) => k === 'ns/fail')).toHaveLength(3);
    expect(calls.filter((k) => k === 'ns/timer')).toHaveLength(2);
    expect(c.queue.numRequeues('ns/fail')).toBe(0); // forgotten after the success
    const text = (await metrics.expose()).body;
    expect(text).toMatch(/controller_runtime_reconcile_total\{controller="results",result="error"\} 2/);
    expect(text).toMatch(/controller_runtime_reconcile_total\{controller="results",result="requeue_after"\} 1/);
    expect(text).toMatch(/workqueue_retries_total\{name="results"\} 2/);
  });

  it('maps objects to keys: self and controlling owner', () => {
    const c = new Controller({ name: 'map', reconciler: { reconcile: async () => ({}) } });
    const pod = { metadata: { namespace: 'ns', name: 'p', ownerReferences: [
      { apiVersion: 'v1', kind: 'Other', name: 'x', uid: '1', controller: false },
      { apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', name: 'sb', uid: '2', controller: true },
    ] } };
    c.enqueueOwner({ group: 'agents.x-k8s.io', kind: 'Sandbox' }).onAdd!(pod);
    c.enqueueSelf().onDelete!(pod);
    c.enqueueOwner({ group: 'agents.x-k8s.io', kind: 'Missing' }).onAdd!(pod);
    c.enqueueOwner({ group: 'other.example.com', kind: 'Sandbox' }).onAdd!(pod);
    expect(c.queue.len()).toBe(2);
  });
});
