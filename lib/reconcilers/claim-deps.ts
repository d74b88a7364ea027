// What the SandboxClaim controller needs from its surroundings: cached readers for the four kinds (structurally the
// runtime's CacheReader), the API client, and settings from the controller flags.
import type { Sandbox, SandboxClaim, SandboxTemplate, SandboxWarmPool } from '../api/types';
import type { CacheReader } from '../controller/store';
import type { KubeClient } from '../kube/client';
import type { KubeObject } from '../kube/types';

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

export interface ClaimSettings {
  /** Label domains additionalPodMetadata labels must use. */
  allowedLabelDomains: readonly string[];
  /** Keep first-observed/first-ready stamps in memory only (saves one write per claim). @default true (flag default) */
  disableObservabilityAnnotations: boolean;
  /** How long a claim waits for starting pool members before it cold-starts. @default 2000 */
  warmCandidateGraceMs: number;
  fieldManager: string;
}
