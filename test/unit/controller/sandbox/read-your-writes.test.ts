// Read-your-writes in the Sandbox reconciler: a pass that starts from a cache still showing the Sandbox before our
// own status write works from what that write returned, so it does not send the same write again; once the cache
// shows a newer version (ours or anyone's), the cache is used again.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Sandbox } from '../../../../lib/api/types';
import { Resources } from '../../../../lib/kube/resources';
import { buildPod } from '../../../../lib/controller/sandbox/pod';
import { SandboxReconciler } from '../../../../lib/controller/sandbox/reconciler';
import { FakeApiServer } from '../../../support/fake-api-server';
import { sandbox } from '../fixtures';

function setup() {
  const now = Date.parse('2026-03-01T10:00:00Z');
  const server = new FakeApiServer();
  let cached = server.seed<Sandbox>(Resources.sandboxes, sandbox({}, { creationTimestamp: new Date(now - 60_000).toISOString(), annotations: { 'agents.x-k8s.io/pod-name': 'box' } }));
  const pod = server.seed<Pod>(Resources.pods, {
    ...buildPod(cached),
    status: { phase: 'Running', podIPs: [{ ip: '198.18.0.7' }], conditions: [{ type: 'Ready', status: 'True' }] },
  });
  /** The status of each Sandbox status write the reconciler sent. */
  const statusWrites = () => server.writes.filter((w) => w.plural === 'sandboxes' && w.subresource === 'status').map((w) => (w.body as Partial<Sandbox>).status);
  const reconciler = new SandboxReconciler({
    client: server, events: { warning: () => undefined, normal: () => undefined }, clusterDomain: 'cluster.local', now: () => now,
    caches: { sandboxes: { get: () => cached, byIndex: () => [] }, pods: { get: () => pod, byIndex: () => [pod] }, services: { get: () => undefined }, pvcs: { get: () => undefined } },
  });
  const stored = () => server.peek<Sandbox>(Resources.sandboxes, 'ns', 'box')!;
  return {
    reconciler, statusWrites,
    catchUp: () => { cached = stored(); },
    /** Someone else cleared the status (a write this test does not count), and the cache shows it. */
    externalWrite: () => { cached = server.seed(Resources.sandboxes, { ...stored(), status: {} }); },
  };
}

describe('SandboxReconciler read-your-writes', () => {
  test('a pass over a lagging cache does not repeat our status write', async () => {
    const t = setup();
    await t.reconciler.reconcile('ns/box');
    expect(t.statusWrites()).toHaveLength(1);
    await t.reconciler.reconcile('ns/box'); // the cache still shows the version before our write
    expect(t.statusWrites()).toHaveLength(1);
    t.catchUp();
    await t.reconciler.reconcile('ns/box');
    expect(t.statusWrites()).toHaveLength(1);
  });

  test('a newer version from someone else replaces our copy', async () => {
    const t = setup();
    await t.reconciler.reconcile('ns/box');
    t.externalWrite(); // someone cleared the status after our write
    await t.reconciler.reconcile('ns/box');
    expect(t.statusWrites()).toHaveLength(2);
  });
});
