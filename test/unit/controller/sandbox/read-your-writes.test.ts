// Read-your-writes in the Sandbox reconciler: a pass that starts from a cache still showing the Sandbox before our
// own status write works from what that write returned, so it does not send the same write again; once the cache
// shows a newer version (ours or anyone's), the cache is used again.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Sandbox } from '../../../../lib/api/types';
import type { KubeClient } from '../../../../lib/kube/client';
import { buildPod } from '../../../../lib/controller/sandbox/pod';
import { SandboxReconciler } from '../../../../lib/controller/sandbox/reconciler';
import { sandbox } from '../fixtures';

function setup() {
  const now = Date.parse('2026-03-01T10:00:00Z');
  let cached: Sandbox = sandbox({}, { creationTimestamp: new Date(now - 60_000).toISOString(), resourceVersion: '5', annotations: { 'agents.x-k8s.io/pod-name': 'box' } });
  const built = buildPod(cached);
  const pod: Pod = {
    ...built, metadata: { ...built.metadata, resourceVersion: '1' },
    status: { phase: 'Running', podIPs: [{ ip: '198.18.0.7' }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
  let server = cached;
  const statusWrites: unknown[] = [];
  const client = {
    async mergePatch(_type: unknown, _ns: string, _name: string, patch: Partial<Sandbox>) {
      statusWrites.push(patch.status);
      // Like the API server's merge patch: null removes a field.
      const status = Object.fromEntries(Object.entries(patch.status ?? {}).filter(([, v]) => v !== null));
      server = { ...server, status, metadata: { ...server.metadata, resourceVersion: String(Number(server.metadata.resourceVersion) + 1) } };
      return server;
    },
  } as unknown as KubeClient;
  const reconciler = new SandboxReconciler({
    client, events: { warning: () => undefined, normal: () => undefined }, clusterDomain: 'cluster.local', now: () => now,
    caches: { sandboxes: { get: () => cached, byIndex: () => [] }, pods: { get: () => pod, byIndex: () => [pod] }, services: { get: () => undefined }, pvcs: { get: () => undefined } },
  });
  return { reconciler, statusWrites, catchUp: () => { cached = server; }, externalWrite: () => { cached = { ...server, status: {}, metadata: { ...server.metadata, resourceVersion: '99' } }; } };
}

describe('SandboxReconciler read-your-writes', () => {
  test('a pass over a lagging cache does not repeat our status write', async () => {
    const t = setup();
    await t.reconciler.reconcile('ns/box');
    expect(t.statusWrites).toHaveLength(1);
    await t.reconciler.reconcile('ns/box'); // the cache still shows resourceVersion 5
    expect(t.statusWrites).toHaveLength(1);
    t.catchUp();
    await t.reconciler.reconcile('ns/box');
    expect(t.statusWrites).toHaveLength(1);
  });

  test('a newer version from someone else replaces our copy', async () => {
    const t = setup();
    await t.reconciler.reconcile('ns/box');
    t.externalWrite(); // someone cleared the status after our write
    await t.reconciler.reconcile('ns/box');
    expect(t.statusWrites).toHaveLength(2);
  });
});
