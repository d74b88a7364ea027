// syncPvcs reads PVCs from the informer cache: no API call for an owned cached PVC, create when missing, one live read
// when the create finds it already there (lagging cache), adoption that also labels, and never a delete.
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { LABEL, nameHash } from '../../../../lib/api';
import type { KubeApi } from '../../../../lib/kube/client';
import { Resources } from '../../../../lib/kube/resources';
import { controllerRefTo, sandboxOwner } from '../../../../lib/controller/shared/ownership';
import { syncPvcs } from '../../../../lib/controller/sandbox/children';
import { buildPvc } from '../../../../lib/controller/sandbox/pvc';
import { FakeApiServer } from '../../../support/fake-api-server';
import { sandbox } from '../fixtures';

const vct = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
const box = sandbox({ volumeClaimTemplates: [vct] });

/** The in-memory API server holding `stored` (its view of the PVC), and the PVC calls and patches it was asked for. */
function apiServerWith(stored: PersistentVolumeClaim | undefined) {
  const server = new FakeApiServer();
  const onServer = stored && server.seed(Resources.persistentVolumeClaims, stored);
  const pvcRequests = () => server.requests.filter((r) => r.plural === 'persistentvolumeclaims');
  return {
    client: server, onServer,
    calls: () => pvcRequests().map((r) => `${r.verb} ${r.name}`),
    patches: () => pvcRequests().filter((r) => r.verb === 'patch').map((r) => r.body),
  };
}

function ctx(client: KubeApi, cached: PersistentVolumeClaim | undefined) {
  return {
    client, sandbox: box,
    caches: { sandboxes: { get: () => box, byIndex: () => [] }, pods: { get: () => undefined, byIndex: () => [] }, services: { get: () => undefined }, pvcs: { get: () => cached } },
  };
}

test('an owned PVC in the cache costs no API call', async () => {
  const owned = buildPvc(box, vct);
  const { client, calls, onServer } = apiServerWith(owned);
  await syncPvcs(ctx(client, onServer));
  expect(calls()).toEqual([]);
});

test('a PVC missing from the cache is created', async () => {
  const { client, calls } = apiServerWith(undefined);
  await syncPvcs(ctx(client, undefined));
  expect(calls()).toEqual(['create data-box']);
});

test('a lagging cache: the create finds it and the PVC is read live once', async () => {
  const { client, calls } = apiServerWith(buildPvc(box, vct));
  await syncPvcs(ctx(client, undefined));
  expect(calls()).toEqual(['create data-box', 'get data-box']);
});

test('an adoptable PVC gets the controller reference and the name-hash label', async () => {
  const user: PersistentVolumeClaim = { metadata: { name: 'data-box', namespace: 'ns', resourceVersion: '9', labels: { [LABEL.adoptable]: 'true' } }, spec: {} };
  const { client, calls, patches, onServer } = apiServerWith(user);
  await syncPvcs(ctx(client, onServer));
  expect(calls()).toEqual(['patch data-box']);
  expect(patches()).toEqual([{ metadata: { labels: { [LABEL.sandboxNameHash]: nameHash('box') }, ownerReferences: [controllerRefTo(sandboxOwner(box))] } }]);
});

test('foreign and unowned PVCs are refused by name and left alone', async () => {
  const foreign: PersistentVolumeClaim = { metadata: { name: 'data-box', namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'x', controller: true }] } };
  const unowned: PersistentVolumeClaim = { metadata: { name: 'data-box', namespace: 'ns' } };
  for (const [pvc, message] of [[foreign, /PersistentVolumeClaim ns\/data-box is controlled by another object/], [unowned, /ns\/data-box exists and is not adoptable/]] as const) {
    const { client, calls, onServer } = apiServerWith(pvc);
    await expect(syncPvcs(ctx(client, onServer))).rejects.toThrow(message);
    expect(calls()).toEqual([]);
  }
});
