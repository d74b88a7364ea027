// One pass's view of a pool's members, computed synchronously from a single cache snapshot (so it is consistent with
// the expectations check taken just before it): which members count as active, which are terminating, which must go
// (stale under Recreate or orphaned, stuck past the grace period), which orphans to adopt, and when to look again.
import type { Pod } from 'kubernetes-types/core/v1';
import { LABEL, type Sandbox, type SandboxTemplate, type SandboxWarmPool } from '../../api';
import { blueprintHash, isStale } from '../shared/blueprint';
import { poolOwner } from '../shared/extension-owners';
import { controllerRefOf, isControlledBy } from '../shared/ownership';
import { classifyMember } from './health';

export interface Doomed {
  sandbox: Sandbox;
  /** Pool-owned (deletion is tracked by expectations) or an orphan carrying the pool label. */
  owned: boolean;
  why: 'stale' | 'stuck';
}

export interface Census {
  /** Members that count toward replicas (Ready, starting, held, pulling). */
  active: Sandbox[];
  /** Pool-owned members already on their way out. */
  terminating: number;
  doomed: Doomed[];
  /** Fresh members carrying the pool label without any controller: adopt them. */
  orphans: Sandbox[];
  /** Members held past grace because they cannot be scheduled. */
  held: number;
  /** Some member is past grace but still pulling images. */
  pulling: boolean;
  /** Earliest epoch ms a starting member leaves its grace period. */
  nextDeadline?: number;
}

export interface CensusInput {
  pool: SandboxWarmPool;
  /** Undefined when the template does not exist: nothing is judged stale then. */
  template?: SandboxTemplate;
  members: Sandbox[];
  podOf(sandbox: Sandbox): Pod | undefined;
  deletionPending(uid: string): boolean;
  now: number;
  graceMs: number;
}

export function takeCensus(input: CensusInput): Census {
  const { pool, template, now, graceMs } = input;
  const recreate = pool.spec.updateStrategy?.type === 'Recreate';
  const staleness = stalenessCheck(template);
  const census: Census = { active: [], terminating: 0, doomed: [], orphans: [], held: 0, pulling: false };
  for (const sandbox of input.members) {
    const owned = isControlledBy(sandbox.metadata, poolOwner(pool));
    if (!owned && controllerRefOf(sandbox.metadata)) continue; // someone else's (e.g. adopted by a claim)
    if (sandbox.metadata.deletionTimestamp || (owned && input.deletionPending(sandbox.metadata.uid!))) {
      if (owned) census.terminating++;
      continue;
    }
    if ((recreate || !owned) && staleness?.(sandbox)) {
      census.doomed.push({ sandbox, owned, why: 'stale' });
      continue;
    }
    if (!owned) {
      census.orphans.push(sandbox);
      continue;
    }
    const health = classifyMember(sandbox, input.podOf(sandbox), now, graceMs);
    switch (health.state) {
      case 'stuck':
        census.doomed.push({ sandbox, owned, why: 'stuck' });
        continue;
      case 'starting':
        census.nextDeadline = Math.min(census.nextDeadline ?? Infinity, health.deadline);
        break;
      case 'held':
        census.held++;
        break;
      case 'pulling':
        census.pulling = true;
        break;
      case 'ready':
        break;
    }
    census.active.push(sandbox);
  }
  return census;
}

/** Staleness against `template`, decided once per (template-ref-hash, template-hash) label pair. */
function stalenessCheck(template: SandboxTemplate | undefined): ((s: Sandbox) => boolean) | undefined {
  if (!template) return undefined;
  const currentHash = blueprintHash(template.spec);
  const memo = new Map<string, boolean>();
  return (s) => {
    const labels = s.metadata.labels ?? {};
    const key = labels[LABEL.templateHash] ? `${labels[LABEL.templateRefHash]}/${labels[LABEL.templateHash]}` : `uid/${s.metadata.uid}`;
    let stale = memo.get(key);
    if (stale === undefined) memo.set(key, (stale = isStale(template.metadata.name!, template.spec, s, currentHash)));
    return stale;
  };
}
