// Owner references: who controls an object, building a controller reference, and the adoption gate shared by the
// Sandbox reconciler's Pod, Service and PVC paths. Kinds are compared by group+kind, never apiVersion, so references
// written under an older version of our API still count.
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1';
import { SANDBOX } from '../../api/groups';
import { LABEL } from '../../api/metadata-keys';
import type { Sandbox } from '../../api/types';
import { groupOf } from '../../kube/types';

/** The identity an owner reference points at. */
export interface OwnerIdentity {
  apiVersion: string;
  kind: string;
  metadata?: ObjectMeta;
}

/** The Sandbox as an owner (its cached copy may lack apiVersion/kind). */
export function sandboxOwner(sandbox: Sandbox): OwnerIdentity {
  return { apiVersion: SANDBOX.apiVersion, kind: SANDBOX.kind, metadata: sandbox.metadata };
}

export function controllerRefOf(meta: ObjectMeta | undefined): OwnerReference | undefined {
  return meta?.ownerReferences?.find((ref) => ref.controller === true);
}

/** True when `meta`'s controller reference points at `owner` (same group, kind and UID). */
export function isControlledBy(meta: ObjectMeta | undefined, owner: OwnerIdentity): boolean {
  const ref = controllerRefOf(meta);
  return ref !== undefined && ref.uid === owner.metadata?.uid && ref.kind === owner.kind
    && groupOf(ref.apiVersion) === groupOf(owner.apiVersion);
}

/** True when `meta`'s controller reference is of the given group and kind (any version). */
export function controllerIsKind(meta: ObjectMeta | undefined, group: string, kind?: string): boolean {
  const ref = controllerRefOf(meta);
  return ref !== undefined && groupOf(ref.apiVersion) === group && (kind === undefined || ref.kind === kind);
}

export function controllerRefTo(owner: OwnerIdentity): OwnerReference {
  return {
    apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
}

/** How an existing object relates to a would-be owner. */
export type Ownership = 'owned' | 'foreign' | 'adoptable' | 'unowned';

/**
 * `owned` by `owner`; `foreign` when another controller owns it; otherwise `adoptable` only when labelled
 * `adoptable=true` or carrying the owner's name-hash label (`expectedHash`), else `unowned` (must not be touched).
 */
export function ownershipOf(meta: ObjectMeta | undefined, owner: OwnerIdentity, expectedHash: string): Ownership {
  if (isControlledBy(meta, owner)) return 'owned';
  if (controllerRefOf(meta)) return 'foreign';
  const labels = meta?.labels ?? {};
  return labels[LABEL.adoptable] === 'true' || labels[LABEL.sandboxNameHash] === expectedHash ? 'adoptable' : 'unowned';
}

/** ownerReferences of `meta` with `owner` added as controller (other non-controller references kept). */
export function withControllerRef(meta: ObjectMeta | undefined, owner: OwnerIdentity): OwnerReference[] {
  const others = (meta?.ownerReferences ?? []).filter((ref) => ref.uid !== owner.metadata?.uid);
  return [...others, controllerRefTo(owner)];
}
