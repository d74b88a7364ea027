// 100 concurrent claims against a pool of 50: every claim Ready, all 50 members adopted and the rest cold-started,
// exactly-once bindings, the pool never above its replicas. The pool holds refills for a minute (replenish delay);
// a refill that slips through before the hold arms may be adopted too, so warm is at least 50.
import { watchPoolMembers } from '../../support/pool-watcher';
import type { Sandbox, SandboxClaim } from '../../../lib/api/types';
import { Resources } from '../../../lib/kube/resources';
import { useTestNamespace } from '../harness';
import { checkBindings, claimObject, createReadyPool, useClaimController, waitForClaimsReady } from './fixtures';

const ns = useTestNamespace('claim-burst');
const ctx = useClaimController(['--sandbox-warm-pool-replenish-delay=1m']);

test('100 concurrent claims against a pool of 50: 50 warm, 50 cold, each claim one sandbox, pool never above 50', async () => {
  await createReadyPool(ctx.client, ns.name, 'burst', 50);
  const members = (await ctx.client.list<Sandbox>(Resources.sandboxes, { namespace: ns.name })).items.map((s) => s.metadata.name!);
  expect(members).toHaveLength(50);
  const pool = await watchPoolMembers(ctx.client, ns.name, { countTerminating: false });

  const names = Array.from({ length: 100 }, (_, i) => `c-${i}`);
  await Promise.all(names.map((n) => ctx.client.create<SandboxClaim>(Resources.sandboxClaims, claimObject(ns.name, n, 'burst'))));
  const claims = await waitForClaimsReady(ctx.client, ns.name, names);
  pool.stop();

  const report = await checkBindings(ctx.client, ns.name, claims);
  expect(report.problems).toEqual([]);
  const bound = new Set(claims.map((c) => c.status!.sandbox!.name!));
  expect(members.filter((m) => !bound.has(m))).toEqual([]);
  expect(report.warm).toBeGreaterThanOrEqual(50);
  expect(report.warm + report.cold).toBe(100);
  expect(pool.max()).toBeLessThanOrEqual(50);
  for (const claim of claims.filter((c) => c.status!.sandbox!.name !== c.metadata.name)) {
    expect(claim.status!.sandbox!.podIPs?.length).toBeGreaterThan(0);
  }
});
