// What the SandboxClaim controller needs from its surroundings: cached readers for the four kinds, the API client,
// and its settings.
import type { Sandbox, SandboxClaim, SandboxTemplate, SandboxWarmPool } from '../../api/types';
import type { KubeClient } from '../../kube/client';
import type { CacheReader } from '../../kube/store';
import type { KubeObject } from '../../kube/types';
import type { ClaimSettings } from '../settings';

/** The parts of an informer cache the claim controller reads. */
export type CachedReader<T extends KubeObject> = Pick<CacheReader<T>, 'get' | 'byIndex'>;

export interface ClaimCaches {
  claims: CachedReader<SandboxClaim>;
  /** Needs the indexes SANDBOX_BY_POOL_INDEX and SANDBOX_BY_CLAIM_INDEX. */
  sandboxes: CachedReader<Sandbox>;
  pools: CachedReader<SandboxWarmPool>;
  templates: CachedReader<SandboxTemplate>;
}

export type ClaimClient = Pick<KubeClient, 'create' | 'mergePatch' | 'delete' | 'get' | 'getOrUndefined' | 'list'>;

export interface ClaimReconcilerSettings extends Pick<ClaimSettings, 'observabilityAnnotations' | 'warmCandidateGraceMs'> {
  /** Label domains additionalPodMetadata labels must use. */
  allowedLabelDomains: readonly string[];
}
