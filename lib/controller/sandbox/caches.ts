// What the Sandbox reconciler reads from the informer caches, and the Pod index it registers: Pods are found by
// `namespace/name-hash` in O(1).
import type { PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1';
import { LABEL } from '../../api/metadata-keys';
import type { Sandbox } from '../../api/types';
import type { CacheReader } from '../../kube/store';

export interface SandboxCaches {
  sandboxes: Pick<CacheReader<Sandbox>, 'get' | 'byIndex'>;
  /** Must carry the POD_NAME_HASH_INDEX index. */
  pods: Pick<CacheReader<Pod>, 'get' | 'byIndex'>;
  services: Pick<CacheReader<Service>, 'get'>;
  pvcs: Pick<CacheReader<PersistentVolumeClaim>, 'get'>;
}

/** Pod index: `namespace/<sandbox-name-hash label>`. */
export const POD_NAME_HASH_INDEX = 'sandbox-name-hash';

export function podNameHashIndex(pod: Pod): string[] {
  const hash = pod.metadata?.labels?.[LABEL.sandboxNameHash];
  return hash ? [`${pod.metadata?.namespace ?? ''}/${hash}`] : [];
}
