// The Sandbox's Pod in one pass: find the Pods it controls (name-hash index, never trusting the pod-name annotation
// for a Pod it does not own, upstream #265), refuse to choose between several, create or adopt one while Running,
// delete the owned one while Suspended. The Pod spec is never updated after creation.
import type { Pod } from 'kubernetes-types/core/v1';
import { CONDITION, SANDBOX_REASON } from '../../api/conditions';
import { SANDBOX } from '../../api/groups';
import { ANNOTATION } from '../../api/metadata-keys';
import { nameHash } from '../../api/name-hash';
import type { Sandbox } from '../../api/types';
import { isNotFound } from '../../kube/errors';
import { Resources } from '../../kube/resources';
import { findCondition } from '../shared/condition-list';
import type { EventRecorder } from '../../controller-runtime/event-recorder';
import type { ReadYourWrites } from '../../controller-runtime/read-your-writes';
import { isControlledBy, ownershipOf, sandboxOwner } from '../shared/ownership';
import { POD_NAME_HASH_INDEX } from './caches';
import { createOrGet, type ChildContext } from './children';
import { buildPod, podMetadataPatch } from './pod';
import type { PodState } from './ready-conditions';

export interface PodContext extends ChildContext {
  events: EventRecorder;
  /** Every Sandbox and Pod write of this pass goes through these, so later passes read them before the cache does. */
  writes: { sandboxes: ReadYourWrites<Sandbox>; pods: ReadYourWrites<Pod> };
  /** Hands over an owned Pod's metadata update that nobody waits on: it runs as the pass's deferred work. */
  deferPodMetadata(run: () => Promise<void>): void;
}

/** Pods controlled by this Sandbox: the name-hash index, plus the sandbox-named Pod in case its label was removed. */
export function ownedPods(ctx: ChildContext): Pod[] {
  const { caches, sandbox } = ctx;
  const namespace = sandbox.metadata.namespace ?? '';
  const name = sandbox.metadata.name ?? '';
  const owner = sandboxOwner(sandbox);
  const owned = caches.pods.byIndex(POD_NAME_HASH_INDEX, `${namespace}/${nameHash(name)}`).filter((p) => isControlledBy(p.metadata, owner));
  const extra = [name, sandbox.metadata.annotations?.[ANNOTATION.podName]];
  for (const podName of extra) {
    const pod = podName ? caches.pods.get(namespace, podName) : undefined;
    if (pod && isControlledBy(pod.metadata, owner) && !owned.some((p) => p.metadata?.name === podName)) owned.push(pod);
  }
  return owned;
}

async function setPodNameAnnotation(ctx: PodContext, value: string | null): Promise<void> {
  const { namespace, name } = ctx.sandbox.metadata;
  await ctx.writes.sandboxes.write(namespace ?? '', name ?? '', () => ctx.client.mergePatch<Sandbox>(Resources.sandboxes, namespace ?? '', name ?? '',
    { metadata: { annotations: { [ANNOTATION.podName]: value } } }));
}

export async function syncPod(ctx: PodContext, suspended: boolean): Promise<PodState> {
  const { sandbox } = ctx;
  const owned = ownedPods(ctx);
  if (owned.length > 1) {
    const message = `multiple Pods (${owned.length}) are controlled by this Sandbox; refusing to choose or create a Pod`;
    if (findCondition(sandbox.status?.conditions, CONDITION.ready)?.reason !== SANDBOX_REASON.multiplePods) {
      ctx.events.warning({ apiVersion: SANDBOX.apiVersion, kind: SANDBOX.kind, metadata: sandbox.metadata }, SANDBOX_REASON.multiplePods, message);
    }
    return { kind: 'multiple', message };
  }
  const annotated = sandbox.metadata.annotations?.[ANNOTATION.podName];
  const pod = owned[0];
  if (suspended) {
    if (annotated) await setPodNameAnnotation(ctx, null);
    return pod ? suspendPod(ctx, pod) : { kind: 'none', nameTaken: ctx.caches.pods.get(sandbox.metadata.namespace ?? '', sandbox.metadata.name ?? '') !== undefined };
  }
  let running: Pod;
  try {
    running = pod ? await updateOwnedPod(ctx, pod) : await createOrAdoptPod(ctx);
  } catch (err) {
    if (annotated) await setPodNameAnnotation(ctx, null);
    throw err;
  }
  // The annotation only ever names the Pod this Sandbox controls; a stale or forged value is overwritten.
  if (annotated !== running.metadata?.name) await setPodNameAnnotation(ctx, running.metadata?.name ?? null);
  return { kind: 'owned', pod: running };
}

async function suspendPod(ctx: ChildContext, pod: Pod): Promise<PodState> {
  if (pod.metadata?.deletionTimestamp) return { kind: 'owned', pod };
  try {
    await ctx.client.delete(Resources.pods, pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid } });
    return { kind: 'owned', pod };
  } catch (err) {
    if (isNotFound(err)) return { kind: 'none', nameTaken: false };
    throw err;
  }
}

/** The Pod after its adoption patch; an owned Pod's metadata sync is deferred work, so the Pod as it is. */
async function patchPodMetadata(ctx: PodContext, pod: Pod, adopt: boolean): Promise<Pod> {
  if (pod.metadata?.deletionTimestamp) return pod;
  const patch = podMetadataPatch(pod, ctx.sandbox, adopt);
  if (!patch) return pod;
  const meta = pod.metadata ?? {};
  const send = (resourceVersion?: string) => ctx.writes.pods.write(meta.namespace ?? '', meta.name ?? '',
    () => ctx.client.mergePatch<Pod>(Resources.pods, meta.namespace ?? '', meta.name ?? '', patch, { resourceVersion }));
  // Adoption must not race another controller taking the Pod.
  if (adopt) return send(meta.resourceVersion);
  // Nobody waits on an owned Pod's labels (e.g. an adopted warm member's): they may follow once a burst has been served.
  ctx.deferPodMetadata(async () => { await send(); });
  return pod;
}

function updateOwnedPod(ctx: PodContext, pod: Pod): Promise<Pod> {
  return patchPodMetadata(ctx, pod, false);
}

/** No owned Pod: create `<sandbox name>`, or adopt an existing Pod of that name when it is adoptable. */
async function createOrAdoptPod(ctx: PodContext): Promise<Pod> {
  const { client, caches, sandbox } = ctx;
  const namespace = sandbox.metadata.namespace ?? '';
  const name = sandbox.metadata.name ?? '';
  const existing = caches.pods.get(namespace, name) ?? await ctx.writes.pods.write(namespace, name, () => createOrGet(client, Resources.pods, buildPod(sandbox)));
  switch (ownershipOf(existing.metadata, sandboxOwner(sandbox), nameHash(name))) {
    case 'owned':
      return updateOwnedPod(ctx, existing);
    case 'foreign':
      throw new Error(`Pod ${namespace}/${name} is controlled by another object; refusing to use it`);
    case 'unowned':
      throw new Error(`Pod ${namespace}/${name} exists and is not adoptable (label it agents.x-k8s.io/adoptable=true to adopt it)`);
    case 'adoptable':
      return patchPodMetadata(ctx, existing, true);
  }
}
