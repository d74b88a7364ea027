// Reconciling a Sandbox's PVCs and Service (ownership gates every write: create, adopt with `adoptable=true` or
// the matching name-hash label, never touch objects controlled by someone else). PVCs are never deleted here.
import type { Service } from 'kubernetes-types/core/v1';
import { LABEL } from '../../api/metadata-keys';
import { nameHash } from '../../api/name-hash';
import type { Sandbox } from '../../api/types';
import { isAlreadyExists, isNotFound } from '../../kube/errors';
import type { KubeApi } from '../../kube/client';
import { Resources, type ResourceType } from '../../kube/resources';
import type { KubeObject } from '../../kube/types';
import { ownershipOf, sandboxOwner, withControllerRef } from '../shared/ownership';
import type { SandboxCaches } from './caches';
import { buildPvc, pvcName } from './pvc';
import { buildService, isHeadless, servicePatch } from './service';

export interface ChildContext {
  client: KubeApi;
  caches: SandboxCaches;
  sandbox: Sandbox;
}

/** Creates `obj`; when it already exists (the cache lagged) returns the stored one instead. */
export async function createOrGet<T extends KubeObject>(client: KubeApi, type: ResourceType, obj: T): Promise<T> {
  try {
    return await client.create(type, obj);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return client.get<T>(type, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
  }
}

function describe(kind: string, sandbox: Sandbox, name: string): string {
  return `${kind} ${sandbox.metadata.namespace}/${name}`;
}

/**
 * Creates missing PVCs and adopts adoptable ones, reading them from the cache (a lagging cache costs one failed
 * create and one live read); errors name the PVC that blocks. Adoption also sets the name-hash label so that a
 * label-scoped cache (--cache-label-selectors) sees the PVC from then on.
 */
export async function syncPvcs(ctx: ChildContext): Promise<void> {
  const { client, caches, sandbox } = ctx;
  const owner = sandboxOwner(sandbox);
  const hash = nameHash(sandbox.metadata.name ?? '');
  for (const vct of sandbox.spec.volumeClaimTemplates ?? []) {
    const name = pvcName(sandbox, vct);
    const namespace = sandbox.metadata.namespace ?? '';
    const existing = caches.pvcs.get(namespace, name)
      ?? await createOrGet(client, Resources.persistentVolumeClaims, buildPvc(sandbox, vct));
    switch (ownershipOf(existing.metadata, owner, hash)) {
      case 'owned':
        break;
      case 'foreign':
        throw new Error(`${describe('PersistentVolumeClaim', sandbox, name)} is controlled by another object`);
      case 'unowned':
        throw new Error(`${describe('PersistentVolumeClaim', sandbox, name)} exists and is not adoptable (label it agents.x-k8s.io/adoptable=true to adopt it)`);
      case 'adoptable':
        await client.mergePatch(Resources.persistentVolumeClaims, namespace, name,
          { metadata: { labels: { [LABEL.sandboxNameHash]: hash }, ownerReferences: withControllerRef(existing.metadata, owner) } }, { resourceVersion: existing.metadata?.resourceVersion });
    }
  }
}

/** Whether the Sandbox has a Service that counts for Ready and status. */
export interface ServiceState {
  required: boolean;
  exists: boolean;
}

/** spec.service tri-state: true = create/keep/adopt, unset = keep an owned one (never create), false = delete an owned one. */
export async function syncService(ctx: ChildContext): Promise<ServiceState> {
  const { client, caches, sandbox } = ctx;
  const want = sandbox.spec.service;
  const namespace = sandbox.metadata.namespace ?? '';
  const name = sandbox.metadata.name ?? '';
  const owner = sandboxOwner(sandbox);
  let service: Service | undefined = caches.services.get(namespace, name);
  if (!service) {
    if (want !== true) return { required: false, exists: false };
    service = await createOrGet(client, Resources.services, buildService(sandbox));
  }
  const ownership = ownershipOf(service.metadata, owner, nameHash(name));
  if (want === false) {
    if (ownership === 'owned' && !service.metadata?.deletionTimestamp) {
      await client.delete(Resources.services, namespace, name, { preconditions: { uid: service.metadata?.uid } }).catch(ignoreNotFound);
    }
    return { required: false, exists: false };
  }
  if (ownership === 'foreign') throw new Error(`${describe('Service', sandbox, name)} is controlled by another object`);
  if (want === undefined) {
    if (ownership !== 'owned') return { required: false, exists: false };
    await patchService(client, service, servicePatch(service, sandbox, { ports: false, adopt: false }));
    return { required: true, exists: true };
  }
  if (ownership === 'unowned') {
    throw new Error(`${describe('Service', sandbox, name)} exists and is not adoptable (label it agents.x-k8s.io/adoptable=true to adopt it)`);
  }
  if (ownership === 'adoptable' && !isHeadless(service)) {
    throw new Error(`${describe('Service', sandbox, name)} cannot be adopted: spec.clusterIP must be None (headless)`);
  }
  const adopt = ownership === 'adoptable';
  await patchService(client, service, servicePatch(service, sandbox, { ports: true, adopt }), adopt);
  return { required: true, exists: true };
}

async function patchService(client: KubeApi, service: Service, patch: object | undefined, locked = false): Promise<void> {
  if (!patch) return;
  const meta = service.metadata ?? {};
  await client.mergePatch(Resources.services, meta.namespace ?? '', meta.name ?? '', patch,
    { resourceVersion: locked ? meta.resourceVersion : undefined });
}

export function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}
