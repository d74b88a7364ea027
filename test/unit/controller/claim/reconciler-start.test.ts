// A claim created within a second of this replica starting to reconcile may have been bound by a previous process
// that our cache has not shown yet, so its binding is checked with a live list; claims created later never pay that
// list. "Started" is when the workers start, not the first claim this process happens to see.
import { noopEventRecorder } from '../../../../lib/controller-runtime/event-recorder';
import type { Sandbox, SandboxClaim, SandboxTemplate, SandboxWarmPool } from '../../../../lib/api/types';
import { ControllerMetrics } from '../../../../lib/controller/metrics';
import { Store } from '../../../../lib/kube/store';
import { SANDBOX_BY_CLAIM_INDEX, sandboxClaimIndex } from '../../../../lib/controller/claim/bindings';
import { SANDBOX_BY_POOL_INDEX, sandboxPoolIndex } from '../../../../lib/controller/claim/candidates';
import { ClaimReconciler } from '../../../../lib/controller/claim/reconciler';
import { Resources } from '../../../../lib/kube/resources';
import { FakeApiServer } from '../../../support/fake-api-server';
import { claim, member, template } from './fixtures';

const T0 = Date.parse('2026-03-01T10:00:00Z');

function setup() {
  let now = T0;
  const server = new FakeApiServer();
  const claims = new Store<SandboxClaim>();
  const sandboxes = new Store<Sandbox>({ [SANDBOX_BY_POOL_INDEX]: sandboxPoolIndex, [SANDBOX_BY_CLAIM_INDEX]: sandboxClaimIndex });
  const pools = new Store<SandboxWarmPool>();
  const templates = new Store<SandboxTemplate>();
  templates.upsert(server.seed(Resources.sandboxTemplates, template()));
  pools.upsert(server.seed<SandboxWarmPool>(Resources.sandboxWarmPools, {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool',
    metadata: { name: 'pool', namespace: 'team-a', uid: 'pool-uid' }, spec: { replicas: 1, sandboxTemplateRef: { name: 'python' } },
  }));
  sandboxes.upsert(server.seed(Resources.sandboxes, member('pool-aaaaa')));
  const reconciler = new ClaimReconciler({
    client: server, caches: { claims, sandboxes, pools, templates }, metrics: new ControllerMetrics({ gitVersion: 'test' }), events: noopEventRecorder,
    settings: { allowedLabelDomains: [], observabilityAnnotations: false, warmCandidateGraceMs: 2000 },
    wakeClaims: () => undefined,
    now: () => now,
  });
  /** The label selectors of the live lists the reconciler made. */
  const lists = () => server.requests.filter((r) => r.verb === 'list').map((r) => r.labelSelector ?? '');
  /** A claim created at `at` (creationTimestamp has second resolution), on the server and in the cache. */
  const addClaim = (at: number) => {
    const c = claim();
    claims.upsert(server.seed(Resources.sandboxClaims, { ...c, metadata: { ...c.metadata, creationTimestamp: new Date(at).toISOString().replace(/\.\d+Z$/, 'Z') } }));
  };
  return { reconciler, lists, addClaim, at: (ms: number) => { now = ms; } };
}

describe('ClaimReconciler live binding check', () => {
  test('a claim created long after the workers started is served from the cache alone', async () => {
    const t = setup();
    t.reconciler.started();
    t.at(T0 + 30_000);
    t.addClaim(T0 + 30_000);
    await t.reconciler.reconcile('team-a/c1');
    expect(t.lists()).toEqual([]);
  });

  test('a claim created as the workers start is checked with one live list', async () => {
    const t = setup();
    t.reconciler.started();
    t.addClaim(T0);
    await t.reconciler.reconcile('team-a/c1');
    expect(t.lists()).toEqual(['agents.x-k8s.io/claim-uid=uid-c1']);
  });
});
