// What the Sandbox reconciler reads from the controller's informer caches, plus the Pod index and cache transforms
// it registers: Pods are found by `namespace/name-hash` in O(1), and cached Pods and PVCs keep only what is read.
import type { PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1';
import { LABEL } from '../api/metadata-keys';
import type { Sandbox } from '../api/types';

/** The read side of an informer cache (structurally the runtime's CacheReader). */
export interface ObjectReader<T> {
  get(namespace: string, name: string): T | undefined;
  byIndex(index: string, value: string): T[];
}

export interface SandboxCaches {
  sandboxes: ObjectReader<Sandbox>;
  /** Must carry the POD_NAME_HASH_INDEX index. */
  pods: ObjectReader<Pod>;
  services: Pick<ObjectReader<Service>, 'get'>;
  pvcs: Pick<ObjectReader<PersistentVolumeClaim>, 'get'>;
}

/** Pod index: `namespace/<sandbox-name-hash label>`. */
export const POD_NAME_HASH_INDEX = 'sandbox-name-hash';

export function podNameHashIndex(pod: Pod): string[] {
  const hash = pod.metadata?.labels?.[LABEL.sandboxNameHash];
  return hash ? [`${pod.metadata?.namespace ?? ''}/${hash}`] : [];
}

/** Informer scope for Pods, Services and PVCs: only labelled ones when --cache-label-selectors is on. Every controller that
 *  reads Pods must use it so they share one informer. */
export function sandboxChildScope(config: { cacheLabelSelectors: boolean }): { labelSelector?: string } {
  return config.cacheLabelSelectors ? { labelSelector: LABEL.sandboxNameHash } : {};
}

/** Cached Pods keep metadata (minus managedFields and finalizers), status and only spec.nodeName. */
export function slimPod(pod: Pod): Pod {
  const { managedFields: _managed, finalizers: _finalizers, ...metadata } = pod.metadata ?? {};
  return { apiVersion: pod.apiVersion, kind: pod.kind, metadata, spec: { nodeName: pod.spec?.nodeName } as Pod['spec'], status: pod.status };
}

/** Cached PVCs keep only metadata (minus managedFields): the reconciler reads nothing else. */
export function slimPvc(pvc: PersistentVolumeClaim): PersistentVolumeClaim {
  const { managedFields: _managed, ...metadata } = pvc.metadata ?? {};
  return { apiVersion: pvc.apiVersion, kind: pvc.kind, metadata };
}
