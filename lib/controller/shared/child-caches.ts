// The caches of a Sandbox's children as every controller that reads them registers them, so they share one informer
// per kind: the informer scope (--cache-label-selectors) and the transforms that keep only what is read.
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import { LABEL } from '../../api/metadata-keys';

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
