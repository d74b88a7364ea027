// SandboxWarmPool reconciler: keeps `spec.replicas` warm members. One pass = classify members (stale, stuck, held,
// terminating, foreign) → status → create the deficit or delete the excess, gated by expectations so a stale cache or a
// fast requeue can never over-create, paced by slow-start batches, the batch cap and the optional refill controls.
// Every delete carries a uid+resourceVersion precondition: a member a claim is adopting at that moment (one
// optimistic-lock write that replaces its owner and drops the pool label) makes our delete fail, never the adoption.
import type { Pod } from 'kubernetes-types/core/v1';
import {
  ANNOTATION, LABEL, WARM_POOL_EVENT, nameHash, parseDuration,
  type ControllerConfig, type Sandbox, type SandboxTemplate, type SandboxWarmPool, type SandboxWarmPoolStatus,
} from '../api';
import type { Logger } from '../controller/logger';
import type { CacheReader } from '../controller/store';
import { Resources, isConflict, isNotFound, splitKey, type KubeClient, type KubeObject } from '../kube';
import { blueprintHash, isStale } from './blueprint';
import type { EventRecorder } from './event-recorder';
import { poolOwner } from './extension-owners';
import { controllerRefOf, controllerRefTo, isControlledBy } from './ownership';
import { slowStartBatch } from './slow-start';
import { Expectations } from './warm-pool-expectations';
import { classifyMember, isSandboxReady } from './warm-pool-health';
import { WARM_POOL_MEMBER_INDEX, buildMember, warmPoolIndexValue } from './warm-pool-member';
import { RefillBucket, ReplenishHold } from './warm-pool-pacing';

export type WarmPoolConfig = Pick<ControllerConfig,
  | 'sandboxWarmPoolMaxBatchSize' | 'sandboxWarmPoolReplenishDelay' | 'sandboxWarmPoolMaxRefillRate'
  | 'sandboxWarmPoolReadinessGracePeriod' | 'sandboxWarmPoolUnschedulableRecheckInterval' | 'enableWarmPoolEviction'>;

export interface WarmPoolReconcilerDeps {
  client: KubeClient;
  pools: CacheReader<SandboxWarmPool>;
  templates: CacheReader<SandboxTemplate>;
  /** Must carry the WARM_POOL_MEMBER_INDEX index. */
  sandboxes: CacheReader<Sandbox>;
  pods: CacheReader<Pod & KubeObject>;
  events: EventRecorder;
  expectations: Expectations;
  config: WarmPoolConfig;
  log: Logger;
  now?: () => number;
  random?: () => number;
}

/** Requeue when expectations block a create/delete; watch events normally retrigger much sooner. */
export const EXPECTATIONS_RETRY_MS = 30_000;

/** Per-pool memory that must not outlive the pool (pacing, not-progressing transitions). */
interface PoolState {
  hold: ReplenishHold;
  bucket: RefillBucket;
  notProgressing: boolean;
}

/** One pass's view of the members. */
interface Census {
  active: Sandbox[];
  terminating: number;
  held: number;
  /** Earliest epoch ms a member leaves its grace period. */
  nextDeadline?: number;
  /** Some member is past grace but still pulling images. */
  pulling: boolean;
}

export class WarmPoolReconciler {
  private readonly state = new Map<string, PoolState>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly graceMs: number;
  private readonly recheckMs: number;

  constructor(private readonly deps: WarmPoolReconcilerDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.graceMs = parseDuration(deps.config.sandboxWarmPoolReadinessGracePeriod);
    this.recheckMs = parseDuration(deps.config.sandboxWarmPoolUnschedulableRecheckInterval);
  }

  async reconcile(key: string): Promise<{ requeueAfter?: number } | void> {
    const { namespace, name } = splitKey(key);
    const pool = this.deps.pools.get(namespace, name);
    if (!pool || pool.metadata.deletionTimestamp) {
      this.state.delete(key);
      this.deps.expectations.forget(key);
      return;
    }
    const state = this.stateOf(key);
    const template = this.deps.templates.get(namespace, pool.spec.sandboxTemplateRef.name);
    const census = await this.census(key, pool, template);
    const desired = pool.spec.replicas ?? 1;
    const current = census.active.length;
    const requeues: (number | undefined)[] = [];

    await this.writeStatus(pool, census);

    let failure: unknown;
    if (current + census.terminating < desired && template) {
      const res = await this.createDeficit(key, pool, template, state, desired - current - census.terminating, current);
      requeues.push(res.requeueAfter);
      failure = res.error;
    } else if (current > desired) {
      const res = await this.deleteExcess(key, census.active, current - desired);
      requeues.push(res.requeueAfter);
      failure = res.error;
    }

    this.reportProgress(pool, state, census.held, desired);
    if (census.held > 0 || census.pulling) requeues.push(this.recheckMs);
    if (census.nextDeadline !== undefined) requeues.push(this.jitter(census.nextDeadline - this.now()));
    if (failure) throw failure;
    const next = requeues.filter((ms): ms is number => ms !== undefined && ms > 0);
    return next.length ? { requeueAfter: Math.min(...next) } : undefined;
  }

  private stateOf(key: string): PoolState {
    let s = this.state.get(key);
    if (!s) {
      const { sandboxWarmPoolReplenishDelay: delay, sandboxWarmPoolMaxRefillRate: rate } = this.deps.config;
      s = { hold: new ReplenishHold(parseDuration(delay)), bucket: new RefillBucket(rate, this.now()), notProgressing: false };
      this.state.set(key, s);
    }
    return s;
  }

  /** Classifies members; deletes stale (Recreate, or orphans) and stuck ones on the way. */
  private async census(key: string, pool: SandboxWarmPool, template: SandboxTemplate | undefined): Promise<Census> {
    const members = this.deps.sandboxes.byIndex(WARM_POOL_MEMBER_INDEX, warmPoolIndexValue(pool.metadata.namespace!, pool.metadata.name!));
    const recreate = pool.spec.updateStrategy?.type === 'Recreate';
    const currentHash = template ? blueprintHash(template.spec) : '';
    const staleByHash = new Map<string, boolean>();
    const stale = (s: Sandbox): boolean => {
      // Members built from the same blueprint share a hash label: decide each hash value once per pass.
      const memo = `${s.metadata.labels?.[LABEL.templateRefHash]}/${s.metadata.labels?.[LABEL.templateHash] ?? s.metadata.uid}`;
      let v = staleByHash.get(memo);
      if (v === undefined) staleByHash.set(memo, (v = isStale(template!.metadata.name!, template!.spec, s, currentHash)));
      return v;
    };
    const census: Census = { active: [], terminating: 0, held: 0, pulling: false };
    const now = this.now();
    for (const sandbox of members) {
      const owned = isControlledBy(sandbox.metadata, poolOwner(pool));
      if (!owned && controllerRefOf(sandbox.metadata)) continue; // someone else's (e.g. mid-adoption by a claim)
      if (sandbox.metadata.deletionTimestamp || (owned && this.deps.expectations.isDeletionPending(key, sandbox.metadata.uid!))) {
        if (owned) census.terminating++;
        continue;
      }
      if (template && (recreate || !owned) && stale(sandbox)) {
        if (await this.deleteMember(key, sandbox, owned)) census.terminating++;
        continue;
      }
      if (!owned && !(await this.adoptOrphan(pool, sandbox))) continue;
      const health = classifyMember(sandbox, this.podOf(sandbox), now, this.graceMs);
      switch (health.state) {
        case 'stuck':
          this.deps.log.info('replacing member not Ready past the readiness grace period', { pool: key, sandbox: sandbox.metadata.name });
          if (await this.deleteMember(key, sandbox, true)) census.terminating++;
          else census.active.push(sandbox);
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

  private podOf(sandbox: Sandbox): (Pod & KubeObject) | undefined {
    const podName = sandbox.metadata.annotations?.[ANNOTATION.podName] || sandbox.metadata.name!;
    return this.deps.pods.get(sandbox.metadata.namespace!, podName);
  }

  /**
   * Deletes one member with a uid+resourceVersion precondition, recording the expectation first when the pool owns
   * it. True when the member is (being) deleted; false when it changed under us (409: maybe adopted — re-read next
   * pass) — never retried blindly.
   */
  private async deleteMember(key: string, sandbox: Sandbox, owned: boolean): Promise<boolean> {
    const { namespace, name, uid, resourceVersion } = sandbox.metadata;
    if (owned) this.deps.expectations.expectDeletion(key, uid!);
    try {
      await this.deps.client.delete(Resources.sandboxes, namespace!, name!, { preconditions: { uid, resourceVersion } });
      return true;
    } catch (err) {
      if (isNotFound(err)) return true; // already gone; the watch delivers (or delivered) the delete
      if (owned) this.deps.expectations.deletionObserved(key, uid!);
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** Takes a fresh, uncontrolled member carrying our pool label under the pool's control (optimistic lock). */
  private async adoptOrphan(pool: SandboxWarmPool, sandbox: Sandbox): Promise<boolean> {
    const { namespace, name, resourceVersion } = sandbox.metadata;
    try {
      await this.deps.client.mergePatch(Resources.sandboxes, namespace!, name!, {
        metadata: { ownerReferences: [controllerRefTo(poolOwner(pool))], labels: { [LABEL.launchType]: 'warm' } },
      }, { resourceVersion });
      return true;
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  private async createDeficit(key: string, pool: SandboxWarmPool, template: SandboxTemplate, state: PoolState, missing: number, active: number): Promise<{ requeueAfter?: number; error?: unknown }> {
    const now = this.now();
    const hold = state.hold.remaining(active, now);
    if (hold > 0) return { requeueAfter: hold };
    const wanted = Math.min(missing, this.deps.config.sandboxWarmPoolMaxBatchSize);
    const granted = state.bucket.take(wanted, now);
    if (granted === 0) return { requeueAfter: state.bucket.msUntilNextToken() };
    if (!this.deps.expectations.tryExpectCreations(key, granted)) {
      state.bucket.refund(granted);
      return { requeueAfter: EXPECTATIONS_RETRY_MS };
    }
    const member = buildMember(pool, template, this.deps.config.enableWarmPoolEviction);
    const res = await slowStartBatch(granted, async () => {
      try {
        await this.deps.client.create(Resources.sandboxes, member);
      } catch (err) {
        this.deps.expectations.creationObserved(key); // will never be observed
        throw err;
      }
    });
    if (res.skipped) {
      this.deps.expectations.creationObserved(key, res.skipped);
      state.bucket.refund(res.skipped);
    }
    const more = missing > granted ? { requeueAfter: granted < wanted ? state.bucket.msUntilNextToken() : undefined } : {};
    return { ...more, error: res.error };
  }

  /** Deletes surplus members: not-Ready first, then newest first. */
  private async deleteExcess(key: string, active: Sandbox[], surplus: number): Promise<{ requeueAfter?: number; error?: unknown }> {
    if (!this.deps.expectations.satisfied(key)) return { requeueAfter: EXPECTATIONS_RETRY_MS };
    const order = [...active].sort((a, b) =>
      Number(isSandboxReady(a)) - Number(isSandboxReady(b))
      || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
    const victims = order.slice(0, Math.min(surplus, this.deps.config.sandboxWarmPoolMaxBatchSize));
    const res = await slowStartBatch(victims.length, async (i) => { await this.deleteMember(key, victims[i], true); });
    return { error: res.error };
  }

  private async writeStatus(pool: SandboxWarmPool, census: Census): Promise<void> {
    const status: SandboxWarmPoolStatus = {
      replicas: census.active.length,
      readyReplicas: census.active.filter(isSandboxReady).length,
      selector: `${LABEL.warmPoolSandbox}=${nameHash(pool.metadata.name!)}`,
      observedGeneration: pool.metadata.generation,
    };
    const old = pool.status ?? {};
    if (old.replicas === status.replicas && old.readyReplicas === status.readyReplicas && old.selector === status.selector
      && old.observedGeneration === status.observedGeneration) return;
    try {
      await this.deps.client.mergePatch(Resources.sandboxWarmPools, pool.metadata.namespace!, pool.metadata.name!, { status }, { subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private reportProgress(pool: SandboxWarmPool, state: PoolState, held: number, desired: number): void {
    if (held > 0 && !state.notProgressing) {
      const grace = this.deps.config.sandboxWarmPoolReadinessGracePeriod;
      this.deps.events.warning(poolOwner(pool), WARM_POOL_EVENT.notProgressing,
        `${held}/${desired} sandboxes are unschedulable past the ${grace} readiness grace period; holding them instead of replacing them`);
    } else if (held === 0 && state.notProgressing) {
      this.deps.events.normal(poolOwner(pool), WARM_POOL_EVENT.progressing, 'Warm pool is progressing again');
    }
    state.notProgressing = held > 0;
  }

  /** Up to +50% so pools created together do not re-check together. */
  private jitter(ms: number): number {
    return Math.max(1, Math.round(ms * (1 + this.random() * 0.5)));
  }
}
