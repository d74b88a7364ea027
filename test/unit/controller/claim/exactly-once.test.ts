// The claim reconciler's exactly-once branches against the in-memory API server, with real Informers whose watch can
// lag the server: an adoption that loses the member's optimistic lock, an adoption whose 5xx hides that it happened,
// a cold create that meets AlreadyExists, and each expiry policy. Whatever the branch, a claim ends up with at most
// one Sandbox, and never one it does not control, nor one whose template's NetworkPolicy is not in place.
import { CLAIM_REASON, CONDITION } from '../../../../lib/api/conditions';
import { LABEL } from '../../../../lib/api/metadata-keys';
import type { Sandbox, SandboxClaim, SandboxTemplate, SandboxWarmPool } from '../../../../lib/api/types';
import { noopEventRecorder } from '../../../../lib/controller-runtime/event-recorder';
import { BurstGate } from '../../../../lib/controller/burst-gate';
import { controllingClaimUid } from '../../../../lib/controller/claim/bindings';
import { addClaimIndexes, watchForClaims, type ClaimInformers } from '../../../../lib/controller/claim/controller';
import { ClaimReconciler } from '../../../../lib/controller/claim/reconciler';
import { ControllerMetrics } from '../../../../lib/controller/metrics';
import { Resources } from '../../../../lib/kube/resources';
import { FakeApiServer } from '../../../support/fake-api-server';
import { claim, member, template } from './fixtures';

const NS = 'team-a';
const running: AbortController[] = [];
afterEach(() => { for (const stop of running.splice(0)) stop.abort(); });

async function setup(members: string[] = [], options: { startedBeforeClaims?: boolean; templateStatus?: SandboxTemplate['status'] } = {}) {
  const server = new FakeApiServer();
  const stop = new AbortController();
  running.push(stop);
  server.seed(Resources.sandboxTemplates, { ...template(), ...('templateStatus' in options ? { status: options.templateStatus } : {}) });
  server.seed<SandboxWarmPool>(Resources.sandboxWarmPools, {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool',
    metadata: { name: 'pool', namespace: NS, uid: 'pool-uid' }, spec: { replicas: members.length, sandboxTemplateRef: { name: 'python' } },
  });
  for (const name of members) server.seed(Resources.sandboxes, member(name));
  const informers: ClaimInformers = {
    claims: await server.informer<SandboxClaim>(Resources.sandboxClaims, {}, stop.signal),
    sandboxes: await server.informer<Sandbox>(Resources.sandboxes, {}, stop.signal),
    pools: await server.informer<SandboxWarmPool>(Resources.sandboxWarmPools, {}, stop.signal),
    templates: await server.informer<SandboxTemplate>(Resources.sandboxTemplates, {}, stop.signal),
  };
  addClaimIndexes(informers);
  let now = Date.now();
  let clockReads = 0;
  const queued: string[] = [];
  const reconciler = new ClaimReconciler({
    client: server.client, caches: informers, metrics: new ControllerMetrics({ gitVersion: 'test' }, { processMetrics: false }),
    events: noopEventRecorder, settings: { allowedLabelDomains: [], observabilityAnnotations: false, warmCandidateGraceMs: 2000 },
    wakeClaims: (keys) => queued.push(...keys),
    now: () => { clockReads++; return now; },
  });
  watchForClaims(informers, { add: (key) => queued.push(key) }, reconciler, BurstGate.open());
  // Claims created within a second of the start may predate the cache (a live list); these tests start well before.
  if (!options.startedBeforeClaims) {
    now -= 10_000;
    reconciler.started();
    now += 10_000;
  }
  const addClaim = (spec: Partial<SandboxClaim['spec']> = {}) => server.seed(Resources.sandboxClaims, claim(spec));
  /** Sandboxes on the server that the claim controls. */
  const boundTo = (c: SandboxClaim) => server.all<Sandbox>(Resources.sandboxes).filter((s) => controllingClaimUid(s) === c.metadata.uid);
  const sandboxWrites = (verb: 'create' | 'patch') => server.writes.filter((w) => w.plural === 'sandboxes' && w.verb === verb);
  return {
    server, reconciler, queued, addClaim, boundTo, sandboxWrites, advance: (ms: number) => { now += ms; },
    /** Clock reads since the last call. */
    clockReads: () => { const n = clockReads; clockReads = 0; return n; },
  };
}

const readyOf = (c: SandboxClaim | undefined) => c?.status?.conditions?.find((x) => x.type === CONDITION.ready);

describe('ClaimReconciler exactly once', () => {
  test('an adoption that loses the member\'s lock adopts nothing; the member\'s next event wakes the claim, which then wins it', async () => {
    const t = await setup(['pool-a']);
    const c = t.addClaim();
    t.server.holdWatch();
    // Someone else writes the member after our cache saw it: our adoption patch carries a stale resourceVersion.
    await t.server.mergePatch(Resources.sandboxes, NS, 'pool-a', { metadata: { annotations: { touched: 'yes' } } });

    const first = await t.reconciler.reconcile(`${NS}/c1`);
    expect(t.sandboxWrites('patch').map((w) => w.code)).toEqual([200, 409]); // the other writer's, then our lost adoption
    expect(first.requeueAfter).toBeGreaterThan(0); // waits for the member to reappear rather than cold-starting
    expect(t.boundTo(c)).toEqual([]);
    expect(t.sandboxWrites('create')).toEqual([]);

    t.server.releaseWatch();
    expect(t.queued).toContain(`${NS}/c1`);
    await t.reconciler.reconcile(`${NS}/c1`);
    expect(t.boundTo(c).map((s) => s.metadata.name)).toEqual(['pool-a']);
    expect(t.sandboxWrites('create')).toEqual([]);
    expect(t.server.peek<SandboxClaim>(Resources.sandboxClaims, NS, 'c1')?.status?.sandbox?.name).toBe('pool-a');
  });

  test('an adoption answered with a 5xx that did happen is found with a live read: no second adoption, no cold Sandbox', async () => {
    const t = await setup(['pool-a', 'pool-b']);
    const c = t.addClaim();
    t.server.holdWatch(); // the cache will not show the adoption
    t.server.failNext('patch', 'sandboxes', 503, { afterApplying: true });

    await expect(t.reconciler.reconcile(`${NS}/c1`)).rejects.toThrow(/503/);
    expect(t.boundTo(c).map((s) => s.metadata.name)).toEqual(['pool-a']); // it happened

    await t.reconciler.reconcile(`${NS}/c1`);
    expect(t.boundTo(c).map((s) => s.metadata.name)).toEqual(['pool-a']);
    const adoptions = t.sandboxWrites('patch').filter((w) => w.name === 'pool-a' || w.name === 'pool-b');
    expect(adoptions.map((w) => `${w.name}:${w.code}`)).toEqual(['pool-a:503']);
    expect(t.sandboxWrites('create')).toEqual([]);
    expect(t.server.peek<Sandbox>(Resources.sandboxes, NS, 'pool-b')?.metadata.labels?.[LABEL.warmPoolSandbox]).toBeDefined();
    expect(t.server.peek<SandboxClaim>(Resources.sandboxClaims, NS, 'c1')?.status?.sandbox?.name).toBe('pool-a');
  });

  test('a cold create that meets AlreadyExists binds the existing Sandbox when the claim controls it', async () => {
    const t = await setup();
    const c = t.addClaim();
    t.server.holdWatch();
    // A previous process created it; our cache has not shown it yet.
    t.server.seed<Sandbox>(Resources.sandboxes, {
      apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox',
      metadata: { name: 'c1', namespace: NS, ownerReferences: [{ apiVersion: c.apiVersion, kind: c.kind, name: 'c1', uid: c.metadata.uid!, controller: true }] },
      spec: { podTemplate: { spec: { containers: [{ name: 'main', image: 'python:3' }] } } },
    });

    await t.reconciler.reconcile(`${NS}/c1`);
    expect(t.sandboxWrites('create').map((w) => w.code)).toEqual([409]);
    expect(t.boundTo(c).map((s) => s.metadata.name)).toEqual(['c1']);
    expect(t.server.peek<SandboxClaim>(Resources.sandboxClaims, NS, 'c1')?.status?.sandbox?.name).toBe('c1');
  });

  test('a cold create that meets AlreadyExists of a Sandbox the claim does not control fails the claim and takes nothing', async () => {
    const t = await setup();
    const c = t.addClaim();
    t.server.holdWatch();
    t.server.seed<Sandbox>(Resources.sandboxes, {
      apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', metadata: { name: 'c1', namespace: NS },
      spec: { podTemplate: { spec: { containers: [{ name: 'main', image: 'python:3' }] } } },
    });

    await t.reconciler.reconcile(`${NS}/c1`);
    expect(t.sandboxWrites('create').map((w) => w.code)).toEqual([409]);
    expect(t.boundTo(c)).toEqual([]);
    const ready = readyOf(t.server.peek<SandboxClaim>(Resources.sandboxClaims, NS, 'c1'));
    expect(ready).toMatchObject({ status: 'False', reason: CLAIM_REASON.reconcilerError });
    expect(ready?.message).toMatch(/"c1" exists but is not controlled by this claim/);
  });

  describe.each([
    ['Delete', 'Background'],
    ['DeleteForeground', 'Foreground'],
  ] as const)('expiry with shutdownPolicy %s', (policy, propagation) => {
    test(`reports ClaimExpired, then deletes the claim (${propagation}) with a uid precondition`, async () => {
      const t = await setup();
      const c = t.addClaim({ lifecycle: { shutdownPolicy: policy, shutdownTime: new Date(Date.now() + 60_000).toISOString() } });
      await t.reconciler.reconcile(`${NS}/c1`); // binds a cold Sandbox
      expect(t.boundTo(c)).toHaveLength(1);
      t.advance(120_000);

      await t.reconciler.reconcile(`${NS}/c1`);
      const claimWrites = t.server.writes.filter((w) => w.plural === 'sandboxclaims');
      expect(claimWrites.slice(-2).map((w) => w.verb)).toEqual(['patch', 'delete']);
      expect(claimWrites.at(-1)).toMatchObject({ code: 200, propagationPolicy: propagation });
      expect(t.server.peek(Resources.sandboxClaims, NS, 'c1')).toBeUndefined();
    });
  });

  test('expiry with shutdownPolicy Retain reports ClaimExpired and deletes only the Sandbox', async () => {
    const t = await setup();
    const c = t.addClaim({ lifecycle: { shutdownPolicy: 'Retain', shutdownTime: new Date(Date.now() + 60_000).toISOString() } });
    await t.reconciler.reconcile(`${NS}/c1`);
    const [bound] = t.boundTo(c);
    expect(bound).toBeDefined();
    t.advance(120_000);

    await t.reconciler.reconcile(`${NS}/c1`);
    expect(t.server.peek(Resources.sandboxes, NS, bound.metadata.name!)).toBeUndefined();
    const kept = t.server.peek<SandboxClaim>(Resources.sandboxClaims, NS, 'c1');
    expect(readyOf(kept)).toMatchObject({ status: 'False', reason: CLAIM_REASON.claimExpired });
  });

  test('a claim whose template has no NetworkPolicy in place takes no member and creates nothing; it says why and goes on once the policy is in place', async () => {
    const refused = { type: 'Ready', status: 'False', reason: 'NetworkPolicyFailed', message: 'denied by deny-np', lastTransitionTime: '2026-01-01T00:00:00Z' };
    const t = await setup(['pool-a'], { templateStatus: { conditions: [refused] } });
    const c = t.addClaim();
    const result = await t.reconciler.reconcile(`${NS}/c1`);
    expect(t.boundTo(c)).toEqual([]);
    expect(t.sandboxWrites('create')).toEqual([]);
    expect(t.sandboxWrites('patch')).toEqual([]);
    const ready = readyOf(t.server.peek<SandboxClaim>(Resources.sandboxClaims, NS, 'c1'));
    expect(ready).toMatchObject({ status: 'False', reason: CLAIM_REASON.networkPolicyNotReady });
    expect(ready?.message).toContain('SandboxTemplate "python" is not in place (NetworkPolicyFailed: denied by deny-np)');
    expect(result.requeueAfter).toBeGreaterThan(0);

    t.queued.length = 0;
    await t.server.mergePatch(Resources.sandboxTemplates, NS, 'python', { status: template().status }, { subresource: 'status' });
    expect(t.queued).toContain(`${NS}/c1`); // the template's Ready change wakes the claim
    await t.reconciler.reconcile(`${NS}/c1`);
    expect(t.boundTo(c).map((s) => s.metadata.name)).toEqual(['pool-a']);
  });

  test('one pass reads the clock once: a warm adoption through Ready and its first-Ready record, and an expiry', async () => {
    const t = await setup(['pool-a']);
    const c = t.addClaim({ lifecycle: { shutdownTime: new Date(Date.now() + 60_000).toISOString(), shutdownPolicy: 'Retain' } });
    t.clockReads();
    await t.reconciler.reconcile(`${NS}/c1`);
    expect(t.boundTo(c).map((s) => s.metadata.name)).toEqual(['pool-a']);
    expect(readyOf(t.server.peek<SandboxClaim>(Resources.sandboxClaims, NS, 'c1'))?.status).toBe('True');
    expect(t.clockReads()).toBe(1);

    t.advance(120_000);
    await t.reconciler.reconcile(`${NS}/c1`);
    expect(readyOf(t.server.peek<SandboxClaim>(Resources.sandboxClaims, NS, 'c1'))?.reason).toBe(CLAIM_REASON.claimExpired);
    expect(t.clockReads()).toBe(1);
  });
});
