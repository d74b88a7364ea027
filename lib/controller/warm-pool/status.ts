// SandboxWarmPool status: what a pass says it is, and when that may be written. Writes are coalesced per pool: during
// a claim burst replicas/readyReplicas change ~2-3 times per claim (member adopted → replicas-1, refill created → +1,
// refill Ready → readyReplicas+1), and patching each change was the pool's main contribution to a saturated
// kube-apiserver. A spec change (observedGeneration) and the first status this process writes go out at once.
import { LABEL, nameHash, type SandboxWarmPool, type SandboxWarmPoolStatus } from '../../api';
import type { Census } from './census';
import { isSandboxReady } from './health';

/**
 * Minimum time between two coalesced status writes of one pool. Status readers lose nothing at this lag: an HPA
 * samples the scale subresource every 15 s and claims never read pool status; a burst costs one write per second.
 */
export const STATUS_WRITE_INTERVAL_MS = 1000;

/** The last status write this process made for a pool. */
export interface StatusWrite {
  at: number;
  observedGeneration?: number;
}

export function poolStatus(pool: SandboxWarmPool, census: Census): SandboxWarmPoolStatus {
  return {
    replicas: census.active.length,
    readyReplicas: census.active.filter(isSandboxReady).length,
    selector: `${LABEL.warmPoolSandbox}=${nameHash(pool.metadata.name!)}`,
    observedGeneration: pool.metadata.generation,
  };
}

function sameStatus(a: SandboxWarmPoolStatus, b: SandboxWarmPoolStatus): boolean {
  return a.replicas === b.replicas && a.readyReplicas === b.readyReplicas && a.selector === b.selector
    && a.observedGeneration === b.observedGeneration;
}

/**
 * When `next` may replace the stored `current` status: undefined = nothing to write, 0 = now, otherwise ms to wait
 * (the caller requeues for that long so the final values of a burst always land). `last` is compared by generation,
 * not the cached status, so a cache lagging our own write does not make a spec change look new twice.
 */
export function statusWriteDelay(current: SandboxWarmPoolStatus | undefined, next: SandboxWarmPoolStatus, last: StatusWrite | undefined, now: number): number | undefined {
  if (current && sameStatus(current, next)) return undefined;
  if (!last || last.observedGeneration !== next.observedGeneration) return 0;
  return Math.max(0, last.at + STATUS_WRITE_INTERVAL_MS - now);
}
