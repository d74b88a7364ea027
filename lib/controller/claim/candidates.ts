// Warm candidates for claims: Ready, networked members of a pool read from the informer cache (index by pool), each
// reserved for the claim that picks it (a reservation in the claim expectations) so concurrent claim workers pick
// different members instead of racing for one.
import { CONDITION } from '../../api/conditions';
import { EXTENSIONS_GROUP, SANDBOX_WARM_POOL } from '../../api/groups';
import { LABEL } from '../../api/metadata-keys';
import { nameHash } from '../../api/name-hash';
import type { Sandbox, SandboxTemplate, SandboxWarmPool } from '../../api/types';
import { blueprintHash, isStale } from '../shared/blueprint';
import { objectKey } from '../../kube/types';
import type { Expectations } from '../../controller-runtime/expectations';
import type { ClaimCaches } from './deps';
import { findCondition } from '../shared/condition-list';
import { controllerIsKind, controllerRefOf } from '../shared/ownership';

/** Index on the Sandbox cache: `<namespace>/<warm-pool-sandbox label value>`. */
export const SANDBOX_BY_POOL_INDEX = 'claim:warm-pool';

export function sandboxPoolIndex(sandbox: Sandbox): string[] {
  const hash = sandbox.metadata.labels?.[LABEL.warmPoolSandbox];
  return hash ? [`${sandbox.metadata.namespace}/${hash}`] : [];
}

/** Name of the pool that controls `sandbox` (group + kind compared, never the version), if any. */
export function controllingPool(sandbox: Sandbox): string | undefined {
  return controllerIsKind(sandbox.metadata, EXTENSIONS_GROUP, SANDBOX_WARM_POOL.kind) ? controllerRefOf(sandbox.metadata)!.name : undefined;
}

/** A member a claim of `pool` may take: pool-controlled, labelled, alive, Ready and with a pod IP. */
export function adoptionBlocker(sandbox: Sandbox, pool: string): 'foreign' | 'unready' | 'no-ip' | undefined {
  const labels = sandbox.metadata.labels ?? {};
  if (sandbox.metadata.deletionTimestamp || controllingPool(sandbox) !== pool) return 'foreign';
  if (labels[LABEL.warmPoolSandbox] !== nameHash(pool) || !labels[LABEL.templateRefHash]) return 'foreign';
  if (!sandbox.status?.podIPs?.length) return 'no-ip';
  if (findCondition(sandbox.status.conditions, CONDITION.ready)?.status !== 'True') return 'unready';
  return undefined;
}

/**
 * Which members a claim of `pool` may take: under the Recreate strategy the pool is replacing members built from an
 * older template, so those are never handed out; under OnReplenish (or with the template gone) any member is.
 */
export function freshMembers(pool: SandboxWarmPool, template: SandboxTemplate | undefined): (member: Sandbox) => boolean {
  if (pool.spec.updateStrategy?.type !== 'Recreate' || !template) return () => true;
  const currentHash = blueprintHash(template.spec);
  return (member) => !isStale(template.metadata.name!, template.spec, member, currentHash);
}

export interface CandidatePick {
  /** The reserved member; release() it unless it was adopted. */
  member?: Sandbox;
  /** Members that will become adoptable soon (no pod IP yet, or not Ready yet). */
  starting: number;
}

export class WarmCandidates {
  /**
   * `expectations`: the claim expectations (keyed by claim UID); a member stays reserved while its adoption is in
   * flight, and once adopted until the cache shows it left the pool.
   */
  constructor(private readonly caches: Pick<ClaimCaches, 'sandboxes'>, private readonly expectations: Expectations<Sandbox>) {}

  /**
   * Picks and reserves for `claimUid` one adoptable member of `pool` that `usable` accepts. Synchronous, so two
   * workers never get the same member. `now`: the caller's clock reading for this pass.
   */
  reserve(claimUid: string, namespace: string, pool: string, now: number, skip: ReadonlySet<string> = new Set(), usable: (member: Sandbox) => boolean = () => true): CandidatePick {
    const pick: CandidatePick = { starting: 0 };
    for (const sandbox of this.caches.sandboxes.byIndex(SANDBOX_BY_POOL_INDEX, `${namespace}/${nameHash(pool)}`)) {
      if (!usable(sandbox)) continue;
      const blocker = adoptionBlocker(sandbox, pool);
      if (blocker === 'no-ip' || blocker === 'unready') pick.starting++;
      if (blocker || skip.has(sandbox.metadata.name!)) continue;
      if (!this.expectations.tryReserve(claimUid, objectKey(sandbox), now)) continue;
      pick.member = sandbox;
      return pick;
    }
    return pick;
  }

  /** Frees a member whose adoption failed, so another claim may try it. */
  release(member: Sandbox): void {
    this.expectations.release(objectKey(member));
  }

  /** Sandbox cache event: a member that left the pool or is gone needs no reservation any more. */
  observe(sandbox: Sandbox, deleted: boolean): void {
    if (deleted || !sandbox.metadata.labels?.[LABEL.warmPoolSandbox]) this.release(sandbox);
  }
}
