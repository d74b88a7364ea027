// SandboxClaim reconciler: binds each claim to exactly one Sandbox (warm adoption by one optimistic-lock patch, else a
// cold Sandbox named like the claim), mirrors the Sandbox's Ready/Finished into the claim status, and runs expiry.
// Exactly once: a member is the lock on itself (resourceVersion precondition), and before any adopt/create the claim's
// existing binding is looked up in the cache index, in the claim expectations (this process's un-observed writes and
// unknown outcomes, keyed by claim UID), and (for claims older than this process's cache) with a live list.
import { CLAIM_EVENT, CLAIM_REASON, CONDITION } from '../../api/conditions';
import { SANDBOX_CLAIM } from '../../api/groups';
import { ANNOTATION, isSystemKey, LABEL } from '../../api/metadata-keys';
import type { PodMetadata, Sandbox, SandboxClaim, SandboxClaimStatus, SandboxTemplate, SandboxWarmPool } from '../../api/types';
import { ApiError, isAlreadyExists, isConflict, isNotFound } from '../../kube/errors';
import { Resources } from '../../kube/resources';
import { objectKey, splitKey } from '../../kube/types';
import { ReadYourWrites } from '../../controller-runtime/read-your-writes';
import { Expectations } from '../../controller-runtime/expectations';
import { controllingClaimUid, SANDBOX_BY_CLAIM_INDEX } from './bindings';
import { freshMembers, WarmCandidates } from './candidates';
import type { ClaimCaches, ClaimClient, ClaimReconcilerSettings } from './deps';
import { asClaimFailure, ClaimFailure, failures } from './failure';
import { recordClaimReady, recordSandboxBound, type ClaimMetrics } from './latency-metrics';
import { validateAdditionalPodMetadata } from './pod-metadata';
import { adoptionPatch, buildColdSandbox, desiredPodMetadata, metadataSyncPatch } from './bound-sandbox';
import { claimExpiry, desiredClaimStatus, isClaimReady, statusEqual } from './status';
import { findCondition } from '../shared/condition-list';
import { PoolWaiters } from './pool-waiters';
import { networkPolicyGate } from '../shared/network-policy-gate';
import type { ReconcileResult } from '../../controller-runtime/controller';
import type { EventRecorder } from '../../controller-runtime/event-recorder';

export interface ClaimReconcilerDeps {
  client: ClaimClient;
  caches: ClaimCaches;
  settings: ClaimReconcilerSettings;
  metrics: ClaimMetrics;
  /** Normal events on claims (a no-op recorder with --disable-claim-events). */
  events: EventRecorder;
  /** Claims waiting on a pool get another look: the composition root hands these keys to the work queue. */
  wakeClaims: (claimKeys: string[]) => void;
  now?: () => number;
}

/** What this process remembers about one claim (by UID), dropped when the claim is deleted. */
interface ClaimMemory {
  /** When this process first saw the claim (controller startup latency). */
  firstObservedAt: number;
  /** Its first Ready was recorded (metrics once per claim). */
  readyRecorded?: boolean;
  /** It predates the cache and its binding was checked with a live list. */
  liveChecked?: boolean;
}

/** What reconcileActive found: the bound sandbox and/or why the claim is not healthy, or "wait for a member". */
interface ActivePass {
  sandbox?: Sandbox;
  failure?: ClaimFailure;
  waitMs?: number;
}

export class ClaimReconciler {
  /**
   * Per claim UID: the Sandbox our adopt/create returned until the cache shows it under the claim, a write whose
   * outcome is unknown, and the pool member reserved for an adoption.
   */
  private readonly expectations: Expectations<Sandbox>;
  private readonly candidates: WarmCandidates;
  readonly waiters = new PoolWaiters();
  private readonly memory = new Map<string, ClaimMemory>();
  /** Claims as our status and annotation writes returned them, until the cache shows them (no re-write from a stale copy). */
  private readonly claims: ReadYourWrites<SandboxClaim>;
  private readonly now: () => number;
  /**
   * When this replica started reconciling (the workers start only after the caches synced): older claims may predate
   * the cache. Set by started(), or by the first reconcile when nothing called it.
   */
  private startedAt?: number;

  constructor(private readonly deps: ClaimReconcilerDeps) {
    this.now = deps.now ?? Date.now;
    this.expectations = new Expectations<Sandbox>(undefined, this.now);
    this.candidates = new WarmCandidates(deps.caches, this.expectations);
    this.claims = new ReadYourWrites(deps.caches.claims, this.now);
  }

  /** Claim cache event (or a pass at `now`): remember when this process first saw the claim (controller startup latency). */
  observeClaim(claim: SandboxClaim, now?: number): void {
    this.memoryOf(claim, now);
  }

  private memoryOf(claim: SandboxClaim, now?: number): ClaimMemory {
    const uid = claim.metadata.uid!;
    let memory = this.memory.get(uid);
    if (!memory) this.memory.set(uid, memory = { firstObservedAt: now ?? this.now() });
    return memory;
  }

  /** Claim deleted: drop everything remembered about it. */
  forgetClaim(claim: SandboxClaim): void {
    const uid = claim.metadata.uid!;
    this.memory.delete(uid);
    this.claims.observed(claim);
    this.expectations.forget(uid);
  }

  /** Sandbox cache event: what the cache now shows needs no expectation (a binding, a member gone from its pool). */
  observeSandbox(sandbox: Sandbox, deleted: boolean): void {
    this.candidates.observe(sandbox, deleted);
    const claimUid = controllingClaimUid(sandbox);
    if (claimUid) this.expectations.objectObserved(claimUid, sandbox);
  }

  started(): void {
    this.startedAt = this.now();
  }

  /**
   * Reconciles `namespace/name`. Throws for retry with backoff; otherwise says when to look again. The clock is read
   * once: expiry, status times, the first-Ready stamp and the cache-age checks of one pass all use the same instant.
   */
  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.deps.caches.claims.get(namespace, name);
    if (!cached || cached.metadata.deletionTimestamp) return {};
    const now = this.now();
    this.observeClaim(cached, now);
    this.startedAt ??= now;
    // Our own newer write when the cache lags, so a pass never re-sends the status it just wrote.
    const claim = this.claims.get(namespace, name, now) ?? cached;
    const expireAt = claimExpiry(claim);
    if (expireAt !== undefined && expireAt <= now) {
      await this.reconcileExpired(claim, now);
      return {};
    }
    const pass = await this.reconcileActive(claim, now);
    if (pass.waitMs !== undefined) return { requeueAfter: pass.waitMs };
    const status = desiredClaimStatus({ claim, sandbox: pass.sandbox, failure: pass.failure, now: new Date(now) });
    if (await this.writeStatus(claim, status, now)) await this.recordFirstReady(claim, pass.sandbox, now, now);
    else if (isClaimReady(claim.status) && !claim.metadata.annotations?.[ANNOTATION.claimFirstReadyAt]) await this.recordFirstReady(claim, pass.sandbox, undefined, now);
    if (pass.failure?.retry === 'backoff') throw pass.failure;
    let requeue = pass.failure && typeof pass.failure.retry === 'object' ? pass.failure.retry.afterMs : undefined;
    if (expireAt !== undefined) requeue = Math.min(requeue ?? Infinity, expireAt - now);
    return requeue === undefined ? {} : { requeueAfter: Math.max(1, requeue) };
  }

  private async reconcileActive(claim: SandboxClaim, now: number): Promise<ActivePass> {
    let bound: Sandbox | undefined;
    try {
      validateAdditionalPodMetadata(claim.spec.additionalPodMetadata, this.deps.settings.allowedLabelDomains);
      bound = await this.findBound(claim, now);
      if (bound) return { sandbox: await this.syncMetadata(claim, bound, now) };
      const { namespace } = claim.metadata;
      const poolName = claim.spec.warmPoolRef.name;
      const pool = this.deps.caches.pools.get(namespace!, poolName);
      if (!pool) throw failures.warmPoolNotFound(poolName);
      const template = this.deps.caches.templates.get(namespace!, pool.spec.sandboxTemplateRef.name);
      const gate = template && networkPolicyGate(template);
      if (gate && !gate.open) throw failures.networkPolicyNotReady(gate.message);
      if (!claim.spec.env?.length && !claim.spec.volumeClaimTemplates?.length) {
        const warm = await this.adoptWarm(claim, pool, template, now);
        if (warm.sandbox || warm.waitMs !== undefined) return warm;
      }
      if (!template) throw failures.templateNotFound(pool.spec.sandboxTemplateRef.name, poolName);
      return { sandbox: await this.createCold(claim, template, now) };
    } catch (err) {
      return { sandbox: bound, failure: asClaimFailure(err) };
    }
  }

  /** The Sandbox this claim already has, if any. Never guesses: an unknown outcome is resolved with a live read. */
  private async findBound(claim: SandboxClaim, now: number): Promise<Sandbox | undefined> {
    const { client, caches } = this.deps;
    const uid = claim.metadata.uid!;
    const namespace = claim.metadata.namespace!;
    const statusName = claim.status?.sandbox?.name;
    const owned = caches.sandboxes.byIndex(SANDBOX_BY_CLAIM_INDEX, uid);
    if (owned.length > 0) return owned.find((s) => s.metadata.name === statusName) ?? owned[0];
    const issued = this.expectations.expectedObject(uid, now);
    if (issued) return issued;
    const unknown = this.expectations.unknownOutcome(uid);
    if (unknown) {
      const live = await client.getOrUndefined<Sandbox>(Resources.sandboxes, unknown.namespace, unknown.name);
      this.expectations.outcomeResolved(uid);
      if (live && controllingClaimUid(live) === uid) return this.remember(uid, live, now);
    }
    if (statusName) {
      const recorded = caches.sandboxes.get(namespace, statusName) ?? await client.getOrUndefined<Sandbox>(Resources.sandboxes, namespace, statusName);
      if (!recorded) throw failures.sandboxMissing(statusName);
      if (controllingClaimUid(recorded) !== uid) throw notOwned(recorded);
      return recorded;
    }
    const sameName = caches.sandboxes.get(namespace, claim.metadata.name!);
    if (sameName) {
      if (controllingClaimUid(sameName) !== uid) throw notOwned(sameName);
      return sameName;
    }
    const memory = this.memoryOf(claim, now);
    if (this.predatesCache(claim, now) && !memory.liveChecked) {
      // A previous controller process may have bound this claim moments before it stopped; our cache might not show it.
      const list = await client.list<Sandbox>(Resources.sandboxes, { namespace, labelSelector: `${LABEL.claimUid}=${uid}` });
      memory.liveChecked = true;
      const mine = list.items.find((s) => controllingClaimUid(s) === uid);
      if (mine) return this.remember(uid, mine, now);
    }
    return undefined;
  }

  /** `sandbox` is bound to the claim: served as its binding until the cache shows it. */
  private remember(claimUid: string, sandbox: Sandbox, now: number): Sandbox {
    this.expectations.expectObject(claimUid, sandbox, now);
    return sandbox;
  }

  private predatesCache(claim: SandboxClaim, now: number): boolean {
    const created = Date.parse(claim.metadata.creationTimestamp ?? '');
    // creationTimestamp has second resolution: anything within a second of the sync may predate it.
    return Number.isNaN(created) || created <= (this.startedAt ?? now) + 1000;
  }

  /**
   * Adopts a Ready pool member with one patch guarded by its resourceVersion. A 409/404 means another claim (or a
   * pool/sandbox write) got there first: try the next member. Returns nothing when the claim should cold-start.
   */
  private async adoptWarm(claim: SandboxClaim, pool: SandboxWarmPool, template: SandboxTemplate | undefined, now: number): Promise<ActivePass> {
    const namespace = claim.metadata.namespace!;
    const poolName = pool.metadata.name!;
    const templateName = pool.spec.sandboxTemplateRef.name;
    const uid = claim.metadata.uid!;
    const tried = new Set<string>();
    const usable = freshMembers(pool, template);
    for (;;) {
      const pick = this.candidates.reserve(uid, namespace, poolName, now, tried, usable);
      const member = pick.member;
      if (!member) {
        const age = now - (Date.parse(claim.metadata.creationTimestamp ?? '') || now);
        const startingSoon = pick.starting > 0 && age < this.deps.settings.warmCandidateGraceMs;
        // Members reserved by other claims' in-flight adoptions are almost always taken: do not wait for them. A member
        // we lost to a conflict usually just changed under us and reappears with a new resourceVersion within ms.
        if (tried.size > 0 || startingSoon) {
          // Woken by the next member event; the timer only bounds the grace period.
          this.waiters.wait(namespace, poolName, objectKey(claim));
          return { waitMs: Math.max(50, this.deps.settings.warmCandidateGraceMs - age) };
        }
        return {};
      }
      tried.add(member.metadata.name!);
      try {
        const podMeta = desiredPodMetadata(claim, template?.spec.podTemplate.metadata ?? userPodMetadata(member));
        const adopted = await this.deps.client.mergePatch<Sandbox>(Resources.sandboxes, namespace, member.metadata.name!,
          adoptionPatch(claim, member, templateName, podMeta, template),
          { resourceVersion: member.metadata.resourceVersion });
        this.remember(uid, adopted, now);
        recordSandboxBound(this.deps.metrics, claim, templateName, 'warm', true);
        this.event(claim, CLAIM_EVENT.sandboxAdopted, `Adopted warm pool Sandbox "${adopted.metadata.name}"`);
        return { sandbox: adopted };
      } catch (err) {
        if (isConflict(err) || isNotFound(err)) {
          this.release(namespace, poolName, member);
          continue;
        }
        if (!(err instanceof ApiError) || err.code >= 500) {
          // The patch may have been applied: resolve it with a live read before this claim does anything else.
          this.expectations.outcomeUnknown(uid, namespace, member.metadata.name!);
        }
        this.release(namespace, poolName, member);
        throw err;
      }
    }
  }

  private event(claim: SandboxClaim, reason: string, message: string): void {
    this.deps.events.normal(claimRef(claim), reason, message);
  }

  private release(namespace: string, pool: string, member: Sandbox): void {
    this.candidates.release(member);
    this.wakeWaiters(namespace, pool);
  }

  wakeWaiters(namespace: string, pool: string): void {
    const keys = this.waiters.wake(namespace, pool);
    if (keys.length > 0) this.deps.wakeClaims(keys);
  }

  private async createCold(claim: SandboxClaim, template: SandboxTemplate, now: number): Promise<Sandbox> {
    const uid = claim.metadata.uid!;
    const namespace = claim.metadata.namespace!;
    const podMeta = desiredPodMetadata(claim, template.spec.podTemplate.metadata);
    const sandbox = buildColdSandbox(claim, template, podMeta);
    try {
      const created = await this.deps.client.create<Sandbox>(Resources.sandboxes, sandbox);
      this.remember(uid, created, now);
      recordSandboxBound(this.deps.metrics, claim, template.metadata.name!, 'cold', false);
      this.event(claim, CLAIM_EVENT.sandboxProvisioned, `Created Sandbox "${created.metadata.name}"`);
      return created;
    } catch (err) {
      if (isAlreadyExists(err)) {
        const live = await this.deps.client.getOrUndefined<Sandbox>(Resources.sandboxes, namespace, claim.metadata.name!);
        if (live && controllingClaimUid(live) === uid) return this.remember(uid, live, now);
        throw live ? notOwned(live) : err;
      }
      if (!(err instanceof ApiError) || err.code >= 500) this.expectations.outcomeUnknown(uid, namespace, claim.metadata.name!);
      throw err;
    }
  }

  /** Keeps a bound Sandbox's claim labels and pod metadata current (additionalPodMetadata edits, template metadata). */
  private async syncMetadata(claim: SandboxClaim, sandbox: Sandbox, now: number): Promise<Sandbox> {
    const templateName = sandbox.metadata.annotations?.[ANNOTATION.templateRef]
      ?? this.deps.caches.pools.get(claim.metadata.namespace!, claim.spec.warmPoolRef.name)?.spec.sandboxTemplateRef.name;
    const template = templateName ? this.deps.caches.templates.get(claim.metadata.namespace!, templateName) : undefined;
    if (!templateName || !template) {
      if (claim.spec.additionalPodMetadata) throw failures.templateNotFound(templateName ?? '<unknown>', claim.spec.warmPoolRef.name);
      return sandbox;
    }
    const patch = metadataSyncPatch(claim, sandbox, templateName, desiredPodMetadata(claim, template.spec.podTemplate.metadata));
    if (!patch) return sandbox;
    const updated = await this.deps.client.mergePatch<Sandbox>(Resources.sandboxes, sandbox.metadata.namespace!, sandbox.metadata.name!, patch);
    return this.remember(claim.metadata.uid!, updated, now);
  }

  /** Writes status when it changed (optimistic lock; a 409 means a newer claim version is on its way). */
  private async writeStatus(claim: SandboxClaim, status: SandboxClaimStatus, now: number): Promise<boolean> {
    if (statusEqual(claim.status, status)) return false;
    const patch = { status: {
      conditions: status.conditions, sandbox: status.sandbox ? { name: status.sandbox.name, podIPs: status.sandbox.podIPs ?? null } : null, actions: status.actions ?? null,
    } };
    try {
      const { namespace, name } = claim.metadata;
      await this.claims.write(namespace!, name!, () => this.deps.client.mergePatch<SandboxClaim>(Resources.sandboxClaims, namespace!, name!, patch,
        { subresource: 'status', resourceVersion: claim.metadata.resourceVersion }), now);
      return !isClaimReady(claim.status) && isClaimReady(status);
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * First Ready: latency histograms once per claim, then one metadata patch stamping first-observed and first-ready.
   * `readyAt` undefined backfills the stamp as `unknown` for a claim that was Ready before this process saw it.
   */
  private async recordFirstReady(claim: SandboxClaim, sandbox: Sandbox | undefined, readyAt: number | undefined, now: number): Promise<void> {
    const observedAt = this.memory.get(claim.metadata.uid!)?.firstObservedAt;
    const memory = this.memoryOf(claim, now);
    if (memory.readyRecorded) return;
    memory.readyRecorded = true;
    const annotations = claim.metadata.annotations ?? {};
    if (readyAt !== undefined && !annotations[ANNOTATION.claimFirstReadyAt]) recordClaimReady(this.deps.metrics, claim, sandbox, observedAt, readyAt);
    if (!this.deps.settings.observabilityAnnotations || annotations[ANNOTATION.claimFirstReadyAt]) return;
    const stamp: Record<string, string> = { [ANNOTATION.claimFirstReadyAt]: readyAt === undefined ? 'unknown' : new Date(readyAt).toISOString() };
    if (!annotations[ANNOTATION.controllerFirstObservedAt] && observedAt !== undefined) {
      stamp[ANNOTATION.controllerFirstObservedAt] = new Date(observedAt).toISOString();
    }
    try {
      const { namespace, name } = claim.metadata;
      await this.claims.write(namespace!, name!, () => this.deps.client.mergePatch<SandboxClaim>(Resources.sandboxClaims, namespace!, name!,
        { metadata: { annotations: stamp } }), now);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Expired: report ClaimExpired, then delete the claim (Delete*) or only its Sandbox (Retain). */
  private async reconcileExpired(claim: SandboxClaim, now: number): Promise<void> {
    const { client, caches } = this.deps;
    const namespace = claim.metadata.namespace!;
    const uid = claim.metadata.uid!;
    const sandboxName = claim.status?.sandbox?.name ?? claim.metadata.name!;
    const sandbox = caches.sandboxes.byIndex(SANDBOX_BY_CLAIM_INDEX, uid)[0] ?? this.expectations.expectedObject(uid, now) ?? caches.sandboxes.get(namespace, sandboxName);
    const owned = sandbox !== undefined && controllingClaimUid(sandbox) === uid;
    const ready = findCondition(claim.status?.conditions, CONDITION.ready);
    const policy = claim.spec.lifecycle?.shutdownPolicy ?? 'Retain';
    if (ready?.reason !== CLAIM_REASON.claimExpired) {
      await this.writeStatus(claim, desiredClaimStatus({ claim, sandbox: owned ? sandbox : undefined, expired: true, now: new Date(now) }), now);
      this.event(claim, CLAIM_EVENT.claimExpired, `Claim expired; shutdown policy ${policy}`);
    }
    try {
      if (policy === 'Delete' || policy === 'DeleteForeground') {
        await client.delete(Resources.sandboxClaims, namespace, claim.metadata.name!, {
          propagationPolicy: policy === 'DeleteForeground' ? 'Foreground' : 'Background', preconditions: { uid },
        });
      } else if (owned && !sandbox.metadata.deletionTimestamp) {
        await client.delete(Resources.sandboxes, namespace, sandbox.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: sandbox.metadata.uid } });
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The claim as an event's involved object. */
function claimRef(claim: SandboxClaim): { apiVersion: string; kind: string; metadata: SandboxClaim['metadata'] } {
  return { apiVersion: SANDBOX_CLAIM.apiVersion, kind: SANDBOX_CLAIM.kind, metadata: claim.metadata };
}

/** Pod metadata of a pool member without the keys the pool added (used only when its template is gone). */
function userPodMetadata(member: Sandbox): PodMetadata {
  const meta = member.spec.podTemplate.metadata ?? {};
  const keep = (m: Record<string, string> | undefined, kind: 'label' | 'annotation') =>
    Object.fromEntries(Object.entries(m ?? {}).filter(([k, v]) => !isSystemKey(k, kind) && !(k === ANNOTATION.safeToEvict && v === 'true')));
  return { labels: keep(meta.labels, 'label'), annotations: keep(meta.annotations, 'annotation') };
}

function notOwned(sandbox: Sandbox): ClaimFailure {
  return new ClaimFailure(CLAIM_REASON.reconcilerError, `Error seen: Sandbox "${sandbox.metadata.name}" exists but is not controlled by this claim`, 'none');
}
