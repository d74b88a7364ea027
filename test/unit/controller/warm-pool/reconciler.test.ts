// WarmPoolReconciler passes over in-memory caches and the in-memory API server, on an injected clock: status write
// coalescing (no lost final update), the replenish hold engaging on the first member taken from a full pool, and the
// refill yielding to a burst of claims.
import { controllerSettings } from '../../../../lib/controller/settings';
import { workerFor } from '../../../support/worker';
import type { Pod } from 'kubernetes-types/core/v1';
import { defaultControllerConfig, type Sandbox, type SandboxTemplate, type SandboxWarmPool } from '../../../../lib/api';
import { Store } from '../../../../lib/kube/store';
import { Resources } from '../../../../lib/kube/resources';
import { FakeApiServer } from '../../../support/fake-api-server';
import { silentLogger } from '../../../../lib/controller-runtime/logger';
import { BurstGate } from '../../../../lib/controller/burst-gate';
import type { KubeObject } from '../../../../lib/kube';
import { Expectations } from '../../../../lib/controller-runtime/expectations';
import { WARM_POOL_MEMBER_INDEX, buildMember, warmPoolMemberIndex } from '../../../../lib/controller/warm-pool/member';
import { WarmPoolReconciler } from '../../../../lib/controller/warm-pool/reconciler';
import { STATUS_WRITE_INTERVAL_MS } from '../../../../lib/controller/warm-pool/status';
import { networkPolicyInPlace } from '../claim/fixtures';

const READY = [{ type: 'Ready', status: 'True', reason: 'DependenciesReady', message: '', lastTransitionTime: '' }];

const template: SandboxTemplate = {
  apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate',
  metadata: { name: 'tpl', namespace: 'ns', uid: 't-uid' },
  spec: { podTemplate: { spec: { containers: [{ name: 'c', image: 'i' }] } } },
  status: { conditions: [networkPolicyInPlace()] },
};

/** One pool `ns/pool` on the in-memory API server, caches the test moves by hand, and a settable clock. */
function harness(replicas: number, flags: { replenishDelay?: string; burst?: { quietMs: number; maxDeferralMs: number } } = {}) {
  let clock = 1_000_000;
  const burstGate = flags.burst ? new BurstGate({ ...flags.burst, now: () => clock }) : undefined;
  let seq = 0;
  const server = new FakeApiServer();
  /** Writes before this index were made while setting up (see clearWrites). */
  let firstWrite = 0;
  const writes = () => server.writes.slice(firstWrite);
  const pools = new Store<SandboxWarmPool>();
  const templates = new Store<SandboxTemplate>();
  const sandboxes = new Store<Sandbox>({ [WARM_POOL_MEMBER_INDEX]: warmPoolMemberIndex });
  templates.upsert(server.seed(Resources.sandboxTemplates, template));
  pools.upsert(server.seed<SandboxWarmPool>(Resources.sandboxWarmPools, {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool',
    metadata: { name: 'pool', namespace: 'ns', uid: 'p-uid', generation: 1 },
    spec: { replicas, sandboxTemplateRef: { name: 'tpl' } },
  }));
  const expectations = new Expectations(undefined, () => clock);
  const events: { reason: string; message: string }[] = [];
  // Distinct member names (the server refuses a second create of one name), spread like Math.random.
  let draws = 0;
  const random = () => (draws++ * 0.6180339887) % 1;
  const { warmPool: settings } = controllerSettings({ ...defaultControllerConfig(), sandboxWarmPoolReplenishDelay: flags.replenishDelay ?? '0s' });
  const reconciler = workerFor('sandboxwarmpool', new WarmPoolReconciler({
    client: server, pools, templates, sandboxes, pods: new Store<Pod & KubeObject>(), expectations, settings,
    events: { warning: (_o, reason, message) => events.push({ reason, message }), normal: () => undefined }, log: silentLogger, now: () => clock, random,
  }), burstGate);
  const pool = () => pools.get('ns', 'pool')!;
  const statusBodies = () => writes().filter((w) => w.plural === 'sandboxwarmpools' && w.subresource === 'status').map((w) => (w.body as { status: SandboxWarmPool['status'] }).status);
  return {
    writes,
    clearWrites: () => { firstWrite = server.writes.length; },
    requeued: reconciler.requeued,
    claimArrived: () => burstGate!.claimArrived(),
    reconcile: () => reconciler.reconcile('ns/pool'),
    advance(ms: number) { clock += ms; },
    /** A Ready member the pool created, as the watch would deliver it (and the creation observed). */
    addMember(ready = true): Sandbox {
      seq++;
      const m = buildMember(pool(), template, true, `pool-${seq}`);
      const s = server.seed<Sandbox>(Resources.sandboxes, { ...m, metadata: { ...m.metadata, uid: `u${seq}`, creationTimestamp: new Date(clock).toISOString() }, status: ready ? { conditions: READY } : {} });
      sandboxes.upsert(s);
      expectations.creationObserved('ns/pool');
      return s;
    },
    /** A claim adopted the member: it left the pool's label index. */
    takeMember(s: Sandbox) { sandboxes.remove(`ns/${s.metadata.name}`); },
    /** The pool status write reached the cache. */
    observeStatus() {
      const last = statusBodies().at(-1);
      if (last) pools.upsert({ ...pool(), status: last });
    },
    scale(n: number) { pools.upsert({ ...pool(), metadata: { ...pool().metadata, generation: pool().metadata.generation! + 1 }, spec: { ...pool().spec, replicas: n } }); },
    statusWrites: statusBodies,
    events,
    setTemplate(t: SandboxTemplate | undefined) { if (t) templates.upsert(t); else templates.remove('ns/tpl'); },
    /** Every create fails with 403 and `message` (quota), or succeeds again. */
    refuseCreates(message: string | undefined) {
      if (message) server.failNext('create', 'sandboxes', 403, { message, times: Infinity });
      else server.clearFaults();
    },
    creates: () => writes().filter((w) => w.verb === 'create' && w.code === 201).length,
  };
}

/** A full pool of `n` Ready members whose status is written and cached. */
async function fullPool(n: number, flags: Parameters<typeof harness>[1] = {}) {
  const h = harness(n, flags);
  const members = Array.from({ length: n }, () => h.addMember());
  await h.reconcile();
  h.observeStatus();
  h.clearWrites();
  return { h, members };
}

describe('WarmPoolReconciler status coalescing', () => {
  it('writes the first status and a spec change at once', async () => {
    const h = harness(2);
    await h.reconcile();
    expect(h.statusWrites()).toEqual([expect.objectContaining({ replicas: 0, readyReplicas: 0, observedGeneration: 1 })]);
    h.observeStatus();
    h.scale(3);
    h.advance(10);
    await h.reconcile();
    expect(h.statusWrites()).toHaveLength(2);
    expect(h.statusWrites()[1]).toMatchObject({ observedGeneration: 2 });
  });

  it('writes a burst of changes once per interval and requeues so the final values land', async () => {
    const { h, members } = await fullPool(3);
    h.advance(STATUS_WRITE_INTERVAL_MS);
    h.takeMember(members[0]);
    await h.reconcile(); // first change after a quiet interval: written at once, refill created
    expect(h.statusWrites()).toEqual([expect.objectContaining({ replicas: 2, readyReplicas: 2 })]);
    h.observeStatus();

    h.advance(100);
    h.addMember(false);
    h.takeMember(members[1]);
    const deferred = await h.reconcile();
    expect(h.statusWrites()).toHaveLength(1);
    expect(deferred).toEqual({ requeueAfter: STATUS_WRITE_INTERVAL_MS - 100 });

    h.advance(300);
    h.addMember(true);
    expect(await h.reconcile()).toEqual({ requeueAfter: STATUS_WRITE_INTERVAL_MS - 400 });
    expect(h.statusWrites()).toHaveLength(1);

    h.advance(STATUS_WRITE_INTERVAL_MS - 400);
    await h.reconcile(); // the requeued pass: the burst's final values
    expect(h.statusWrites()).toHaveLength(2);
    expect(h.statusWrites()[1]).toMatchObject({ replicas: 3, readyReplicas: 2 });
  });

  it('does not requeue for a status the cache already shows', async () => {
    const { h } = await fullPool(2);
    h.advance(10);
    expect(await h.reconcile()).toEqual({});
    expect(h.writes()).toEqual([]);
  });
});

describe('WarmPoolReconciler replenish hold', () => {
  it('holds the refill of the first member taken from a full pool', async () => {
    const { h, members } = await fullPool(3, { replenishDelay: '5s' });
    h.advance(2000);
    await h.reconcile(); // a quiet pass over the full pool
    h.takeMember(members[0]);
    h.advance(100);
    expect(await h.reconcile()).toEqual({ requeueAfter: 5000 });
    expect(h.creates()).toBe(0);
    h.advance(5000);
    await h.reconcile();
    expect(h.creates()).toBe(1);
  });
});

describe('WarmPoolReconciler during a burst of claims', () => {
  const burst = { quietMs: 250, maxDeferralMs: 5000 };
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());
  /** Moves the harness clock and the gate's timers together. */
  const pass = (h: ReturnType<typeof harness>, ms: number) => { h.advance(ms); jest.advanceTimersByTime(ms); };

  it('refills only once claims pause, when the gate wakes the pool (no polling meanwhile)', async () => {
    const { h, members } = await fullPool(3, { burst });
    h.claimArrived();
    h.takeMember(members[0]);
    pass(h, 100);
    expect(await h.reconcile()).toEqual({ requeueAfter: 900 }); // the status write window only: the burst is not polled
    expect(h.creates()).toBe(0);
    pass(h, 149);
    expect(h.requeued).toEqual([]);
    pass(h, 1);
    expect(h.requeued).toEqual(['ns/pool']);
    await h.reconcile();
    expect(h.creates()).toBe(1);
  });

  it('refills after the longest deferral even while claims keep coming', async () => {
    const { h, members } = await fullPool(4, { burst });
    h.claimArrived();
    h.takeMember(members[0]);
    await h.reconcile();
    for (let t = 0; t < 4800; t += 200) {
      pass(h, 200);
      h.claimArrived();
      await h.reconcile();
    }
    expect(h.creates()).toBe(0);
    expect(h.requeued).toEqual([]);
    pass(h, 200);
    h.claimArrived();
    expect(h.requeued).toEqual(['ns/pool']);
    await h.reconcile();
    expect(h.creates()).toBe(1);
  });

  it('refills an emptied pool at once', async () => {
    const { h, members } = await fullPool(2, { burst });
    h.claimArrived();
    members.forEach((m) => h.takeMember(m));
    await h.reconcile();
    expect(h.creates()).toBe(2);
  });
});

describe('WarmPoolReconciler when members cannot be created', () => {
  const replicaFailure = (status: SandboxWarmPool['status']) => status?.conditions?.find((c) => c.type === 'ReplicaFailure');

  it('creates nothing while the template\'s NetworkPolicy is not in place, says why, then fills once it is', async () => {
    const h = harness(2);
    const failing = { type: 'Ready', status: 'False', reason: 'NetworkPolicyFailed', message: 'denied by deny-np', lastTransitionTime: '' };
    h.setTemplate({ ...template, status: { conditions: [failing] } });
    await h.reconcile();
    expect(h.creates()).toBe(0);
    expect(replicaFailure(h.statusWrites()[0])).toMatchObject({ status: 'True', reason: 'NetworkPolicyNotReady', observedGeneration: 1 });
    expect(replicaFailure(h.statusWrites()[0])?.message).toContain('SandboxTemplate "tpl" is not in place (NetworkPolicyFailed: denied by deny-np)');
    expect(h.events).toEqual([{ reason: 'NetworkPolicyNotReady', message: replicaFailure(h.statusWrites()[0])?.message }]);
    h.observeStatus();

    h.setTemplate({ ...template, status: undefined }); // no verdict yet also keeps the pool waiting
    h.advance(STATUS_WRITE_INTERVAL_MS);
    await h.reconcile();
    expect(h.creates()).toBe(0);

    h.setTemplate(template);
    h.advance(STATUS_WRITE_INTERVAL_MS);
    await h.reconcile();
    expect(h.creates()).toBe(2);
    expect(h.statusWrites().at(-1)).toMatchObject({ conditions: null });
  });

  it('says TemplateNotFound while the template is missing', async () => {
    const h = harness(1);
    h.setTemplate(undefined);
    await h.reconcile();
    expect(h.creates()).toBe(0);
    expect(replicaFailure(h.statusWrites()[0])).toMatchObject({ reason: 'TemplateNotFound', message: expect.stringContaining('SandboxTemplate "tpl" not found') });
  });

  it('says FailedCreate with the API server\'s message until a create succeeds', async () => {
    const h = harness(1);
    h.refuseCreates('sandboxes.agents.x-k8s.io "pool-b" is forbidden: exceeded quota: two-sandboxes');
    await expect(h.reconcile()).rejects.toThrow('exceeded quota');
    h.observeStatus();
    h.advance(STATUS_WRITE_INTERVAL_MS);
    await expect(h.reconcile()).rejects.toThrow('exceeded quota'); // the retry: its status carries the failure
    expect(replicaFailure(h.statusWrites().at(-1))).toMatchObject({ reason: 'FailedCreate', message: expect.stringContaining('exceeded quota: two-sandboxes') });
    expect(h.events.map((e) => e.reason)).toEqual(['FailedCreate']);
    h.observeStatus();

    h.refuseCreates(undefined);
    h.advance(STATUS_WRITE_INTERVAL_MS);
    await h.reconcile();
    expect(h.creates()).toBe(1);
    h.addMember(false);
    h.advance(STATUS_WRITE_INTERVAL_MS);
    await h.reconcile();
    expect(h.statusWrites().at(-1)).toMatchObject({ conditions: null });
  });
});
