// The controller is SIGKILLed in the middle of a claim burst and restarted: every claim still ends Ready with
// exactly one sandbox, no sandbox serves two claims, and the pool is never above its replicas.
import { watchPoolMembers } from '../../support/pool-watcher';
import type { SandboxClaim } from '../../../lib/api/types';
import { Resources } from '../../../lib/kube/resources';
import { startController, useTestNamespace, waitFor } from '../harness';
import { checkBindings, claimObject, createReadyPool, useClaimController, waitForClaimsReady } from './fixtures';

const ns = useTestNamespace('claim-restart');
const ctx = useClaimController();

test('killed mid-burst, restarted: converges with no duplicate bindings', async () => {
  await createReadyPool(ctx.client, ns.name, 'restart', 20);
  const pool = await watchPoolMembers(ctx.client, ns.name, { countTerminating: false });

  const names = Array.from({ length: 40 }, (_, i) => `r-${i}`);
  const creating = names.map((n) => ctx.client.create<SandboxClaim>(Resources.sandboxClaims, claimObject(ns.name, n, 'restart')));
  // kill as soon as the controller has started binding claims, while most of the burst is still in flight
  await waitFor('first claims bound', async () => {
    const list = await ctx.client.list<SandboxClaim>(Resources.sandboxClaims, { namespace: ns.name });
    return list.items.some((c) => c.status?.sandbox?.name);
  }, { timeoutMs: 60_000, intervalMs: 20 });
  await ctx.controller!.kill();
  ctx.controller = undefined;
  await Promise.all(creating);
  const boundWhileDown = (await ctx.client.list<SandboxClaim>(Resources.sandboxClaims, { namespace: ns.name })).items.filter((c) => c.status?.sandbox?.name).length;
  expect(boundWhileDown).toBeLessThan(names.length);

  ctx.controller = await startController({ kubeconfig: ctx.kubeconfig });
  const claims = await waitForClaimsReady(ctx.client, ns.name, names);
  pool.stop();
  const report = await checkBindings(ctx.client, ns.name, claims);
  expect(report.problems).toEqual([]);
  expect(report.warm + report.cold).toBe(names.length);
  expect(report.warm).toBeGreaterThanOrEqual(20);
  expect(pool.max()).toBeLessThanOrEqual(20);
});
