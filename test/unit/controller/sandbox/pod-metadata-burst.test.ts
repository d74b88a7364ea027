// An owned Pod's labels that are behind its Sandbox (an adopted warm member) follow once a burst of claims pauses:
// the pass leaves the Pod patch as deferred work, the BurstGate holds it without polling and requeues the Sandbox when
// the claims pause.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Sandbox } from '../../../../lib/api/types';
import { BurstGate } from '../../../../lib/controller/burst-gate';
import { Resources } from '../../../../lib/kube/resources';
import { buildPod } from '../../../../lib/controller/sandbox/pod';
import { SandboxReconciler } from '../../../../lib/controller/sandbox/reconciler';
import { sandbox } from '../fixtures';
import { FakeApiServer } from '../../../support/fake-api-server';
import { workerFor } from '../../../support/worker';

function setup() {
  const now = Date.now();
  const created = new Date(now - 60_000).toISOString();
  const server = new FakeApiServer();
  const before: Sandbox = sandbox({}, { creationTimestamp: created, annotations: { 'agents.x-k8s.io/pod-name': 'box' } });
  const pod = server.seed<Pod>(Resources.pods, {
    ...buildPod(before),
    status: { phase: 'Running', podIPs: [{ ip: '198.18.0.7' }], conditions: [{ type: 'Ready', status: 'True' }] },
  });
  // The claim's label reached the Sandbox's pod template but not yet the Pod.
  server.seed<Sandbox>(Resources.sandboxes, { ...before, spec: { ...before.spec, podTemplate: { ...before.spec.podTemplate, metadata: { labels: { team: 'a' } } } } });
  const podPatches = () => server.writes.filter((w) => w.plural === 'pods' && w.verb === 'patch').map((w) => w.body);
  const gate = new BurstGate({ quietMs: 250, maxDeferralMs: 5000 });
  const reconciler = new SandboxReconciler({
    client: server, events: { warning: () => undefined, normal: () => undefined }, clusterDomain: 'cluster.local',
    caches: { sandboxes: { get: () => server.peek<Sandbox>(Resources.sandboxes, 'ns', 'box'), byIndex: () => [] }, pods: { get: () => pod, byIndex: () => [pod] }, services: { get: () => undefined }, pvcs: { get: () => undefined } },
  });
  const worker = workerFor('sandbox', reconciler, gate);
  return { reconciler: worker, gate, podPatches, requeued: worker.requeued };
}

describe('SandboxReconciler Pod metadata during a burst of claims', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-03-01T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  test('the Pod patch waits for the burst to pause: no polling, the gate requeues the Sandbox, then it goes out', async () => {
    const t = setup();
    t.gate.claimArrived();
    jest.advanceTimersByTime(50);
    expect(await t.reconciler.reconcile('ns/box')).toEqual({});
    expect(t.podPatches()).toHaveLength(0);
    jest.advanceTimersByTime(199);
    expect(t.requeued).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(t.requeued).toEqual(['ns/box']);
    await t.reconciler.reconcile('ns/box');
    expect(t.podPatches()).toEqual([{ metadata: expect.objectContaining({ labels: expect.objectContaining({ team: 'a' }) }) }]);
  });

  test('without claims arriving the Pod is patched in the same pass', async () => {
    const t = setup();
    await t.reconciler.reconcile('ns/box');
    expect(t.podPatches()).toHaveLength(1);
  });
});
