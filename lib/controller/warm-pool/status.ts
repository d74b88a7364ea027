// SandboxWarmPool status: what a pass says it is, and when that may be written. Writes are coalesced per pool: during
// a claim burst replicas/readyReplicas change ~2-3 times per claim (member adopted → replicas-1, refill created → +1,
// refill Ready → readyReplicas+1), and patching each change was the pool's main contribution to a saturated
// kube-apiserver. A spec change (observedGeneration) and the first status this process writes go out at once.
import { LABEL, WARM_POOL_CONDITION, nameHash, type SandboxWarmPool, type SandboxWarmPoolStatus } from '../../api';
import type { Condition } from 'kubernetes-types/meta/v1';
import { removeCondition, setCondition } from '../shared/condition-list';
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

/** The status for `census`; `problem` (why members cannot be created) becomes a ReplicaFailure condition. */
export function poolStatus(pool: SandboxWarmPool, census: Census, problem?: { reason: string; message: string }, now = new Date()): SandboxWarmPoolStatus {
  const conditions = problem
    ? setCondition(pool.status?.conditions, { type: WARM_POOL_CONDITION.replicaFailure, status: 'True', ...problem, observedGeneration: pool.metadata.generation }, now)
    : removeCondition(pool.status?.conditions, WARM_POOL_CONDITION.replicaFailure);
  return {
    replicas: census.active.length,
    readyReplicas: census.active.filter(isSandboxReady).length,
    selector: `${LABEL.warmPoolSandbox}=${nameHash(pool.metadata.name!)}`,
    observedGeneration: pool.metadata.generation,
    ...(conditions.length ? { conditions } : {}),
  };
}

function sameStatus(a: SandboxWarmPoolStatus, b: SandboxWarmPoolStatus): boolean {
  return a.replicas === b.replicas && a.readyReplicas === b.readyReplicas && a.selector === b.selector
    && a.observedGeneration === b.observedGeneration && sameConditions(a.conditions ?? [], b.conditions ?? []);
}

/** Field by field: the API server returns a condition's keys in its own order. */
function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  const fields = ['type', 'status', 'reason', 'message', 'observedGeneration', 'lastTransitionTime'] as const;
  return a.length === b.length && a.every((c, i) => fields.every((f) => c[f] === b[i][f]));
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
