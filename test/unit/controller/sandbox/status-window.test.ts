// --sandbox-status-coalesce-window: the start-up window itself (injected clock), and a reconcile pass holding,
// writing at the deadline, and never holding Ready=True or error/suspend/terminal writes.
import type { Pod } from 'kubernetes-types/core/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import type { Sandbox } from '../../../../lib/api/types';
import { Resources } from '../../../../lib/kube/resources';
import { buildPod } from '../../../../lib/controller/sandbox/pod';
import { SandboxReconciler } from '../../../../lib/controller/sandbox/reconciler';
import { isStartingStatus, StatusWindow } from '../../../../lib/controller/sandbox/status-window';
import { FakeApiServer } from '../../../support/fake-api-server';
import { sandbox } from '../fixtures';

const CREATED = Date.parse('2026-03-01T10:00:00Z');
const created = '2026-03-01T10:00:00Z';

describe('StatusWindow', () => {
  test('the window runs from the later of creationTimestamp and first sight', () => {
    let now = CREATED + 400;
    const window = new StatusWindow(1000);
    // First seen 400 ms after the (truncated) creationTimestamp: the full second counts from first sight.
    expect(window.remaining('ns/a', created, now)).toBe(1000);
    now += 600;
    expect(window.remaining('ns/a', created, now)).toBe(400);
    now += 400;
    expect(window.remaining('ns/a', created, now)).toBe(0);
  });

  test('an old Sandbox seen for the first time (controller restart) is never held', () => {
    const now = CREATED + 5000;
    const window = new StatusWindow(1000);
    expect(window.remaining('ns/a', created, now)).toBe(0);
    expect(window.size).toBe(0);
  });

  test('a pass after the window cannot reopen it, and the entry is dropped once past the horizon', () => {
    let now = CREATED + 100;
    const window = new StatusWindow(1000);
    expect(window.remaining('ns/a', created, now)).toBe(1000);
    now = CREATED + 1500; // past the deadline, before created + truncation + window
    expect(window.remaining('ns/a', created, now)).toBe(0);
    expect(window.size).toBe(1);
    now = CREATED + 2000;
    expect(window.remaining('ns/a', created, now)).toBe(0);
    expect(window.size).toBe(0);
    expect(window.remaining('ns/a', created, now)).toBe(0);
  });

  test('forget drops the entry; 0 window or a missing timestamp never holds', () => {
    const now = CREATED;
    const window = new StatusWindow(1000);
    window.remaining('ns/a', created, now);
    window.forget('ns/a');
    expect(window.size).toBe(0);
    expect(new StatusWindow(0).remaining('ns/a', created, now)).toBe(0);
    expect(window.remaining('ns/b', undefined, now)).toBe(0);
  });

  test('only a normal not-yet-Ready start is a starting status', () => {
    const withReady = (status: string, reason: string) => ({ conditions: [{ type: 'Ready', status, reason, message: '', lastTransitionTime: created }] });
    expect(isStartingStatus(withReady('False', 'DependenciesNotReady'))).toBe(true);
    for (const reason of ['ReconcilerError', 'MultiplePods', 'SandboxSuspended', 'SandboxExpired', 'PodFailed', 'PodSucceeded']) {
      expect(isStartingStatus(withReady('False', reason))).toBe(false);
    }
    expect(isStartingStatus(withReady('True', 'DependenciesReady'))).toBe(false);
    expect(isStartingStatus({})).toBe(false);
  });
});

describe('SandboxReconciler with a 1s status window', () => {
  /**
   * A Sandbox whose Pod already exists (so the pass writes nothing but status) on the in-memory API server, caches
   * that show what the server holds, and the status patches sent.
   */
  function setup(spec: Partial<Sandbox['spec']> = {}) {
    let now = CREATED + 200;
    const server = new FakeApiServer();
    const stored = server.seed<Sandbox>(Resources.sandboxes, sandbox(spec, { creationTimestamp: created, annotations: { 'agents.x-k8s.io/pod-name': 'box' } }));
    let pod = server.seed<Pod>(Resources.pods, { ...buildPod(stored), status: { phase: 'Pending' } });
    const statusPatches = () => server.writes.filter((w) => w.plural === 'sandboxes' && w.subresource === 'status').map((w) => (w.body as Partial<Sandbox>).status);
    const caches = {
      sandboxes: { get: () => server.peek<Sandbox>(Resources.sandboxes, 'ns', 'box'), byIndex: () => [] },
      pods: { get: () => pod, byIndex: () => [pod] },
      services: { get: () => undefined },
      pvcs: { get: () => undefined },
    };
    const reconciler = new SandboxReconciler({
      client: server, caches, events: { warning: () => undefined, normal: () => undefined }, clusterDomain: 'cluster.local',
      statusCoalesceWindowMs: 1000, now: () => now,
    });
    return {
      reconciler, statusPatches,
      advance: (ms: number) => { now += ms; },
      setPod: (status: Pod['status']) => { pod = server.seed(Resources.pods, { ...pod, status }); },
      setOwner: (owner: OwnerReference) => { pod = server.seed(Resources.pods, { ...pod, metadata: { ...pod.metadata, ownerReferences: [owner] } }); },
    };
  }
  const readyPod: Pod['status'] = {
    phase: 'Running', podIPs: [{ ip: '198.18.0.7' }],
    conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
  };
  const readyOf = (status: unknown) => (status as Sandbox['status'])?.conditions?.find((c) => c.type === 'Ready');

  test('intermediate start-up statuses are held, and the deadline pass writes the current one', async () => {
    const t = setup();
    expect(await t.reconciler.reconcile('ns/box')).toEqual({ requeueAfter: 1000 });
    t.advance(300);
    t.setPod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] });
    expect(await t.reconciler.reconcile('ns/box')).toEqual({ requeueAfter: 700 });
    expect(t.statusPatches()).toHaveLength(0);
    t.advance(700);
    expect(await t.reconciler.reconcile('ns/box')).toEqual({ requeueAfter: undefined });
    expect(t.statusPatches()).toHaveLength(1);
    expect(readyOf(t.statusPatches()[0])).toMatchObject({ status: 'False', message: 'Pod exists with phase: Pending' });
    // After the window every change is written at once.
    t.advance(100);
    t.setPod({ phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }] });
    expect(await t.reconciler.reconcile('ns/box')).toEqual({ requeueAfter: undefined });
    expect(t.statusPatches()).toHaveLength(2);
  });

  test('Ready=True is written at once, inside the window', async () => {
    const t = setup();
    await t.reconciler.reconcile('ns/box');
    t.advance(100);
    t.setPod(readyPod);
    expect(await t.reconciler.reconcile('ns/box')).toEqual({ requeueAfter: undefined });
    expect(t.statusPatches()).toHaveLength(1);
    expect(readyOf(t.statusPatches()[0])).toMatchObject({ status: 'True', reason: 'DependenciesReady' });
  });

  test.each([
    ['a failed Pod', {}, { phase: 'Failed' } as Pod['status'], 'PodFailed'],
    ['a suspended Sandbox', { operatingMode: 'Suspended' as const }, { phase: 'Pending' } as Pod['status'], 'SandboxSuspended'],
    ['an expired Sandbox', { shutdownTime: new Date(CREATED + 250).toISOString() }, { phase: 'Pending' } as Pod['status'], 'SandboxExpired'],
  ])('%s is written at once', async (_what, spec, podStatus, reason) => {
    const t = setup(spec);
    t.setPod(podStatus);
    t.advance(100);
    await t.reconciler.reconcile('ns/box');
    expect(t.statusPatches()).toHaveLength(1);
    expect(readyOf(t.statusPatches()[0])).toMatchObject({ status: 'False', reason });
  });

  test('a reconcile error is written at once', async () => {
    const t = setup();
    t.setPod({ phase: 'Pending' });
    t.setOwner({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'uid-rs', controller: true });
    t.advance(100);
    await expect(t.reconciler.reconcile('ns/box')).rejects.toThrow(/controlled by another object/);
    expect(t.statusPatches()).toHaveLength(1);
    expect(readyOf(t.statusPatches()[0])).toMatchObject({ status: 'False', reason: 'ReconcilerError' });
  });
});
