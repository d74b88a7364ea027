// SandboxWarmPool reconciler: keeps `spec.replicas` warm members. One pass = classify members (stale, stuck, held,
// terminating, foreign) → status → create the deficit or delete the excess, gated by expectations so a stale cache or a
// fast requeue can never over-create, paced by slow-start batches, the batch cap and the optional refill controls.
// Every delete carries a uid+resourceVersion precondition: a member a claim is adopting at that moment (one
// optimistic-lock write that replaces its owner and drops the pool label) makes our delete fail, never the adoption.
import type { Pod } from 'kubernetes-types/core/v1';
import { ANNOTATION, LABEL, WARM_POOL_EVENT, type Sandbox, type SandboxTemplate, type SandboxWarmPool } from '../../api';
import type { DeferredWork, ReconcileResult } from '../../controller-runtime/controller';
import type { WarmPoolSettings } from '../settings';
import type { Logger } from '../../controller-runtime/logger';
import type { CacheReader } from '../../kube/store';
import { Resources, isAlreadyExists, isConflict, isNotFound, splitKey, type KubeClient, type KubeObject } from '../../kube';
import type { EventRecorder } from '../../controller-runtime/event-recorder';
import { poolOwner } from '../shared/extension-owners';
import { controllerRefTo } from '../shared/ownership';
import { slowStartBatch } from './slow-start';
import { Expectations } from '../../controller-runtime/expectations';
import { takeCensus, type Census } from './census';
import { isSandboxReady } from './health';
import { WARM_POOL_MEMBER_INDEX, buildMember, memberName, warmPoolIndexValue } from './member';
import { RefillBucket, ReplenishHold } from './pacing';
import { poolStatus, statusWriteDelay, type StatusWrite } from './status';
import { networkPolicyGate } from '../shared/network-policy-gate';

export interface WarmPoolReconcilerDeps {
  client: Pick<KubeClient, 'create' | 'mergePatch' | 'delete'>;
  pools: CacheReader<SandboxWarmPool>;
  templates: CacheReader<SandboxTemplate>;
  /** Must carry the WARM_POOL_MEMBER_INDEX index. */
  sandboxes: CacheReader<Sandbox>;
  pods: CacheReader<Pod & KubeObject>;
  events: EventRecorder;
  expectations: Expectations;
  settings: Omit<WarmPoolSettings, 'workers'>;
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
  /** Last status write, for coalescing (see status.ts). */
  lastStatusWrite?: StatusWrite;
  /** Why the last create failed, until a create succeeds (a create is only tried when nothing else blocks it). */
  createFailure?: string;
  /** Last problem reported as an event, so each distinct problem is reported once rather than on every pass. */
  reportedProblem?: string;
}

/** Why no member can be created: the pool's ReplicaFailure condition and Warning event. */
export interface PoolProblem {
  reason: string;
  message: string;
}

export class WarmPoolReconciler {
  private readonly state = new Map<string, PoolState>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly deps: WarmPoolReconcilerDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const pool = this.deps.pools.get(namespace, name);
    if (!pool || pool.metadata.deletionTimestamp) {
      this.state.delete(key);
      this.deps.expectations.forget(key);
      return {};
    }
    const state = this.stateOf(key);
    const template = this.deps.templates.get(namespace, pool.spec.sandboxTemplateRef.name);
    // Expectations are read before the cache snapshot: only a snapshot taken while nothing was outstanding may be
    // trusted to contain every member this controller created.
    const trustworthy = this.deps.expectations.satisfied(key);
    const census = takeCensus({
      pool, template, now: this.now(), graceMs: this.deps.settings.readinessGracePeriodMs,
      members: this.deps.sandboxes.byIndex(WARM_POOL_MEMBER_INDEX, warmPoolIndexValue(namespace, name)),
      podOf: (s) => this.podOf(s),
      deletionPending: (uid) => this.deps.expectations.isDeletionPending(key, uid),
    });
    await this.settle(key, pool, census);
    const desired = pool.spec.replicas ?? 1;
    const current = census.active.length;
    const requeues: (number | undefined)[] = [];

    // A template whose NetworkPolicy is not in place yields no members (fail closed); nothing else changes.
    const buildable = template && networkPolicyGate(template).open ? template : undefined;
    const blocker = this.blocker(pool, template);
    this.deps.log.debug('pass', { pool: key, desired, active: current, terminating: census.terminating, held: census.held, pending: this.deps.expectations.pending(key) });
    requeues.push(await this.writeStatus(pool, census, state, blocker ?? failedCreate(state)));
    state.hold.observe(current, desired, this.now());

    let failure: unknown;
    let createOutcome: 'ok' | 'failed' | undefined;
    let deferred: DeferredWork | undefined;
    const missing = desired - current - census.terminating;
    const hold = state.hold.remaining(this.now());
    if (!trustworthy) {
      requeues.push(EXPECTATIONS_RETRY_MS);
    } else if (missing > 0 && buildable && hold > 0) {
      requeues.push(hold);
    } else if (missing > 0 && buildable && census.active.some(isSandboxReady)) {
      // A refill started mid-burst is not Ready in time to serve that burst, and it slows every claim still arriving;
      // so a pool that can still serve a claim leaves its refill as deferred work (the gate bounds the wait).
      deferred = {
        kind: 'refill',
        run: async () => {
          const res = await this.createDeficit(key, pool, buildable, state, missing);
          this.reportProblem(pool, state, undefined, res.error ? 'failed' : 'ok', res.error);
          if (res.error) throw res.error;
          return { requeueAfter: res.requeueAfter };
        },
      };
    } else if (missing > 0 && buildable) {
      // An empty pool refills at once.
      const res = await this.createDeficit(key, pool, buildable, state, missing);
      requeues.push(res.requeueAfter);
      failure = res.error;
      createOutcome = res.error ? 'failed' : 'ok';
    } else if (current > desired) {
      const res = await this.deleteExcess(key, census.active, current - desired);
      requeues.push(res.requeueAfter);
      failure = res.error;
    }

    this.reportProgress(pool, state, census.held, desired);
    this.reportProblem(pool, state, blocker, createOutcome, failure);
    if (census.held > 0 || census.pulling) requeues.push(this.deps.settings.unschedulableRecheckIntervalMs);
    if (census.nextDeadline !== undefined) requeues.push(this.jitter(census.nextDeadline - this.now()));
    if (failure) throw failure;
    const next = requeues.filter((ms): ms is number => ms !== undefined && ms > 0);
    return { requeueAfter: next.length ? Math.min(...next) : undefined, deferred };
  }

  private stateOf(key: string): PoolState {
    let s = this.state.get(key);
    if (!s) {
      const { replenishDelayMs, maxRefillRate } = this.deps.settings;
      s = { hold: new ReplenishHold(replenishDelayMs), bucket: new RefillBucket(maxRefillRate, this.now()), notProgressing: false };
      this.state.set(key, s);
    }
    return s;
  }

  /**
   * Acts on the census: deletes doomed members (parallel slow-start batches) and adopts orphans. A doomed member whose
   * delete hit a conflict stays counted as active (it may just have changed, or been adopted: the next pass re-reads).
   */
  private async settle(key: string, pool: SandboxWarmPool, census: Census): Promise<void> {
    const { doomed } = census;
    const outcomes = await Promise.all(doomed.map(async (d) => {
      if (d.why === 'stuck') this.deps.log.info('replacing member not Ready past the readiness grace period', { pool: key, sandbox: d.sandbox.metadata.name });
      return this.deleteMember(key, d.sandbox, d.owned).catch((err: unknown) => err);
    }));
    let failure: unknown;
    outcomes.forEach((outcome, i) => {
      if (outcome === true) census.terminating++;
      else if (outcome === false) census.active.push(doomed[i].sandbox);
      else failure ??= outcome;
    });
    for (const orphan of census.orphans) if (await this.adoptOrphan(pool, orphan)) census.active.push(orphan);
    if (failure) throw failure;
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

  private async createDeficit(
    key: string, pool: SandboxWarmPool, template: SandboxTemplate, state: PoolState, missing: number,
  ): Promise<{ requeueAfter?: number; error?: unknown }> {
    const now = this.now();
    const wanted = Math.min(missing, this.deps.settings.maxBatchSize);
    const granted = state.bucket.take(wanted, now);
    if (granted === 0) return { requeueAfter: state.bucket.msUntilNextToken() };
    if (!this.deps.expectations.tryExpectCreations(key, granted)) {
      state.bucket.refund(granted);
      return { requeueAfter: EXPECTATIONS_RETRY_MS };
    }
    const res = await slowStartBatch(granted, async () => {
      try {
        await this.createMember(pool, template);
      } catch (err) {
        this.deps.expectations.creationObserved(key); // will never be observed
        throw err;
      }
    });
    this.deps.log.debug('created members', { pool: key, granted, succeeded: res.succeeded, skipped: res.skipped, error: res.error ? String(res.error) : undefined });
    if (res.skipped) {
      this.deps.expectations.creationObserved(key, res.skipped);
      state.bucket.refund(res.skipped);
    }
    const more = missing > granted ? { requeueAfter: granted < wanted ? state.bucket.msUntilNextToken() : undefined } : {};
    return { ...more, error: res.error };
  }

  /** Creates one member; a name collision (AlreadyExists) is retried once under a new name. */
  private async createMember(pool: SandboxWarmPool, template: SandboxTemplate): Promise<void> {
    const build = () => buildMember(pool, template, this.deps.settings.eviction, memberName(pool.metadata.name!, this.random));
    try {
      await this.deps.client.create(Resources.sandboxes, build());
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await this.deps.client.create(Resources.sandboxes, build());
    }
  }

  /** Deletes surplus members: not-Ready first, then newest first. */
  private async deleteExcess(key: string, active: Sandbox[], surplus: number): Promise<{ requeueAfter?: number; error?: unknown }> {
    if (!this.deps.expectations.satisfied(key)) return { requeueAfter: EXPECTATIONS_RETRY_MS };
    const order = [...active].sort((a, b) =>
      Number(isSandboxReady(a)) - Number(isSandboxReady(b))
      || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
    const victims = order.slice(0, Math.min(surplus, this.deps.settings.maxBatchSize));
    const res = await slowStartBatch(victims.length, async (i) => { await this.deleteMember(key, victims[i], true); });
    return { error: res.error };
  }

  /** Writes the status now, or returns ms until it may be written (coalescing); undefined when nothing is due. */
  private async writeStatus(pool: SandboxWarmPool, census: Census, state: PoolState, problem: PoolProblem | undefined): Promise<number | undefined> {
    const now = this.now();
    const status = poolStatus(pool, census, problem, new Date(now));
    const delay = statusWriteDelay(pool.status, status, state.lastStatusWrite, now);
    if (delay !== 0) return delay;
    // A merge patch replaces the whole list: a resolved problem is removed by sending null.
    const patch = { ...status, ...(status.conditions || !pool.status?.conditions ? {} : { conditions: null }) };
    try {
      await this.deps.client.mergePatch(Resources.sandboxWarmPools, pool.metadata.namespace!, pool.metadata.name!, { status: patch }, { subresource: 'status' });
      state.lastStatusWrite = { at: now, observedGeneration: status.observedGeneration };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return undefined;
  }

  private reportProgress(pool: SandboxWarmPool, state: PoolState, held: number, desired: number): void {
    if (held > 0 && !state.notProgressing) {
      const grace = formatDuration(this.deps.settings.readinessGracePeriodMs);
      this.deps.events.warning(poolOwner(pool), WARM_POOL_EVENT.notProgressing,
        `${held}/${desired} sandboxes are unschedulable past the ${grace} readiness grace period; holding them instead of replacing them`);
    } else if (held === 0 && state.notProgressing) {
      this.deps.events.normal(poolOwner(pool), WARM_POOL_EVENT.progressing, 'Warm pool is progressing again');
    }
    state.notProgressing = held > 0;
  }

  /** What stops this pool from creating members before any create is tried: its template, or that template's policy. */
  private blocker(pool: SandboxWarmPool, template: SandboxTemplate | undefined): PoolProblem | undefined {
    const templateName = pool.spec.sandboxTemplateRef.name;
    if (!template) return { reason: WARM_POOL_EVENT.templateNotFound, message: `SandboxTemplate "${templateName}" not found; no sandboxes are created until it exists` };
    const gate = networkPolicyGate(template);
    if (!gate.open) return { reason: WARM_POOL_EVENT.networkPolicyNotReady, message: `${gate.message}; no sandboxes are created until it is` };
    return undefined;
  }

  /**
   * A blocked pool or failing creates must be visible on the pool, not only in controller logs: remembers the create
   * outcome (for the condition the next status write carries) and sends each new problem as one Warning event.
   */
  private reportProblem(pool: SandboxWarmPool, state: PoolState, blocker: PoolProblem | undefined, createOutcome: 'ok' | 'failed' | undefined, failure: unknown): void {
    if (blocker) state.createFailure = undefined; // what failed before the blocker is no longer known
    else if (createOutcome === 'failed') state.createFailure = `creating sandboxes failed: ${failure instanceof Error ? failure.message : String(failure)}`;
    else if (createOutcome === 'ok') state.createFailure = undefined;
    else if (state.createFailure !== undefined) return; // no create attempted this pass: the failure is not known to be over
    const problem = blocker ?? failedCreate(state);
    const id = problem && `${problem.reason}: ${problem.message}`;
    if (problem && id !== state.reportedProblem) this.deps.events.warning(poolOwner(pool), problem.reason, problem.message);
    state.reportedProblem = id;
  }

  /** Up to +50% so pools created together do not re-check together. */
  private jitter(ms: number): number {
    return Math.max(1, Math.round(ms * (1 + this.random() * 0.5)));
  }
}

function failedCreate(state: PoolState): PoolProblem | undefined {
  return state.createFailure === undefined ? undefined : { reason: WARM_POOL_EVENT.failedCreate, message: state.createFailure };
}

/** A duration the way flags spell it (`5m`, `90s`, `250ms`), in the largest unit that divides it. */
function formatDuration(ms: number): string {
  const units: [string, number][] = [['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const [unit, size] = units.find(([, size]) => ms > 0 && ms % size === 0) ?? ['ms', 1];
  return `${ms / size}${unit}`;
}
