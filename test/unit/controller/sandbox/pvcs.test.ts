// syncPvcs reads PVCs from the informer cache: no API call for an owned cached PVC, create when missing, one live read
// when the create finds it already there (lagging cache), adoption that also labels, and never a delete.
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { LABEL, nameHash } from '../../../../lib/api';
import type { KubeClient } from '../../../../lib/kube/client';
import { ApiError } from '../../../../lib/kube/errors';
import type { ResourceType } from '../../../../lib/kube/resources';
import { controllerRefTo, sandboxOwner } from '../../../../lib/controller/shared/ownership';
import { syncPvcs } from '../../../../lib/controller/sandbox/children';
import { buildPvc } from '../../../../lib/controller/sandbox/pvc';
import { sandbox } from '../fixtures';

const vct = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
const box = sandbox({ volumeClaimTemplates: [vct] });

/** A client that records every call and answers from `stored` (the API server's view). */
function recordingClient(stored: PersistentVolumeClaim | undefined) {
  const calls: string[] = [];
  const patches: unknown[] = [];
  const client = {
    async create(_type: ResourceType, obj: PersistentVolumeClaim) {
      calls.push(`create ${obj.metadata?.name}`);
      if (stored) throw new ApiError(409, { reason: 'AlreadyExists' }, 'create');
      return obj;
    },
    async get(_type: ResourceType, _ns: string, name: string) {
      calls.push(`get ${name}`);
      return stored;
    },
    async mergePatch(_type: ResourceType, _ns: string, name: string, patch: unknown) {
      calls.push(`patch ${name}`);
      patches.push(patch);
      return stored;
    },
    async delete() {
      calls.push('delete');
    },
  } as unknown as KubeClient;
  return { client, calls, patches };
}

function ctx(client: KubeClient, cached: PersistentVolumeClaim | undefined) {
  return {
    client, sandbox: box,
    caches: { sandboxes: { get: () => box, byIndex: () => [] }, pods: { get: () => undefined, byIndex: () => [] }, services: { get: () => undefined }, pvcs: { get: () => cached } },
  };
}

test('an owned PVC in the cache costs no API call', async () => {
  const owned = buildPvc(box, vct);
  const { client, calls } = recordingClient(owned);
  await syncPvcs(ctx(client, owned));
  expect(calls).toEqual([]);
});

test('a PVC missing from the cache is created', async () => {
  const { client, calls } = recordingClient(undefined);
  await syncPvcs(ctx(client, undefined));
  expect(calls).toEqual(['create data-box']);
});

test('a lagging cache: the create finds it and the PVC is read live once', async () => {
  const { client, calls } = recordingClient(buildPvc(box, vct));
  await syncPvcs(ctx(client, undefined));
  expect(calls).toEqual(['create data-box', 'get data-box']);
});

test('an adoptable PVC gets the controller reference and the name-hash label', async () => {
  const user: PersistentVolumeClaim = { metadata: { name: 'data-box', namespace: 'ns', resourceVersion: '9', labels: { [LABEL.adoptable]: 'true' } }, spec: {} };
  const { client, calls, patches } = recordingClient(user);
  await syncPvcs(ctx(client, user));
  expect(calls).toEqual(['patch data-box']);
  expect(patches).toEqual([{ metadata: { labels: { [LABEL.sandboxNameHash]: nameHash('box') }, ownerReferences: [controllerRefTo(sandboxOwner(box))] } }]);
});

test('foreign and unowned PVCs are refused by name and left alone', async () => {
  const foreign: PersistentVolumeClaim = { metadata: { name: 'data-box', namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'x', controller: true }] } };
  const unowned: PersistentVolumeClaim = { metadata: { name: 'data-box', namespace: 'ns' } };
  for (const [pvc, message] of [[foreign, /PersistentVolumeClaim ns\/data-box is controlled by another object/], [unowned, /ns\/data-box exists and is not adoptable/]] as const) {
    const { client, calls } = recordingClient(pvc);
    await expect(syncPvcs(ctx(client, pvc))).rejects.toThrow(message);
    expect(calls).toEqual([]);
  }
});
