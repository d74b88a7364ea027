// With --disable-claim-observability-annotations=false (upstream's default) the controller stamps each claim once
// with when it first saw it and when it first became Ready, in one write after the Ready status.
import type { SandboxClaim } from '../../../lib/api/types';
import { ANNOTATION } from '../../../lib/api/metadata-keys';
import { Resources } from '../../../lib/kube/resources';
import { useTestNamespace, waitFor } from '../harness';
import { claimObject, createReadyPool, useClaimController } from './fixtures';

const ns = useTestNamespace('claim-stamps');
const ctx = useClaimController(['--disable-claim-observability-annotations=false']);

test('first-observed and first-ready stamps are written once, in order', async () => {
  await createReadyPool(ctx.client, ns.name, 'pool', 1);
  const created = Date.now();
  await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, 'c1', 'pool'));
  const claim = await waitFor('claim c1 stamped', async () => {
    const c = await ctx.client.get<SandboxClaim>(Resources.sandboxClaims, ns.name, 'c1');
    return c.metadata.annotations?.[ANNOTATION.claimFirstReadyAt] ? c : undefined;
  }, { timeoutMs: 30_000, intervalMs: 100 });
  const observed = Date.parse(claim.metadata.annotations![ANNOTATION.controllerFirstObservedAt]);
  const ready = Date.parse(claim.metadata.annotations![ANNOTATION.claimFirstReadyAt]);
  // Same machine, same clock: the controller saw the claim after the client sent it and stamped Ready after that.
  expect(observed).toBeGreaterThanOrEqual(created - 5);
  expect(ready).toBeGreaterThanOrEqual(observed);
  expect(claim.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
});
