// Claims first, on the real plane, with a quiet period long enough to observe: while claims keep arriving, the
// refill of a claimed member, the label patch on the adopted Pod and the SandboxAdopted event wait; once claims stop
// for the quiet period they all land. A pool left with no Ready member refills at once. Events still held back when
// the controller is stopped are written before it exits.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Sandbox } from '../../../lib/api/types';
import { Resources } from '../../../lib/kube/resources';
import { kubectl, useTestNamespace, waitFor } from '../harness';
import { claimObject, createReadyPool, useClaimController, waitForClaimsReady, waitForPoolReady } from './fixtures';

const QUIET_MS = 8000;
const SAFE_TO_EVICT = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
const ns = useTestNamespace('claims-first');
const ctx = useClaimController([`--claim-burst-quiet-period=${QUIET_MS}ms`, '--claim-burst-max-deferral=60s']);

const sandboxNames = async () => (await ctx.client.list<Sandbox>(Resources.sandboxes, { namespace: ns.name })).items.map((s) => s.metadata.name!);
const eventsFor = async (claim: string) =>
  JSON.parse(await kubectl(['get', 'events', '-n', ns.name, '-o', 'json', '--field-selector', `involvedObject.name=${claim}`])).items as { reason: string }[];

test('the refill, the adopted Pod\'s label patch and the event wait for the quiet period, then land', async () => {
  await createReadyPool(ctx.client, ns.name, 'deep', 3);
  const before = await sandboxNames();
  const claimedAt = Date.now();
  await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, 'c1', 'deep', { additionalPodMetadata: { labels: { 'sandbox.users.io/owner': 'c1' } } }));
  const [claim] = await waitForClaimsReady(ctx.client, ns.name, ['c1']);
  const bound = claim.status!.sandbox!.name!;
  expect(before).toContain(bound); // served warm

  // Still inside the quiet period: none of the three has happened yet.
  const pod = await ctx.client.get<Pod>(Resources.pods, ns.name, bound);
  const names = await sandboxNames();
  const events = await eventsFor('c1');
  expect(Date.now() - claimedAt).toBeLessThan(QUIET_MS / 2); // the checks above really ran inside the quiet period
  expect(names.sort()).toEqual([...before].sort());
  expect(pod.metadata?.annotations?.[SAFE_TO_EVICT]).toBe('true');
  expect(pod.metadata?.labels?.['sandbox.users.io/owner']).toBeUndefined();
  expect(events).toEqual([]);

  // After it, all three land.
  await waitForPoolReady(ctx.client, ns.name, 'deep', 3);
  const settled = await waitFor('adopted Pod relabelled', async () => {
    const p = await ctx.client.get<Pod>(Resources.pods, ns.name, bound);
    return p.metadata?.labels?.['sandbox.users.io/owner'] === 'c1' && p;
  }, { timeoutMs: 60_000, intervalMs: 250 });
  expect(settled.metadata?.annotations?.[SAFE_TO_EVICT]).toBeUndefined();
  await waitFor('SandboxAdopted event', async () => (await eventsFor('c1')).some((e) => e.reason === 'SandboxAdopted'), { timeoutMs: 60_000, intervalMs: 250 });
  const refill = (await ctx.client.list<Sandbox>(Resources.sandboxes, { namespace: ns.name })).items.filter((s) => !before.includes(s.metadata.name!));
  expect(refill).toHaveLength(1);
  // creationTimestamp has second resolution
  expect(Date.parse(refill[0].metadata.creationTimestamp!)).toBeGreaterThanOrEqual(claimedAt + QUIET_MS - 1000);
  for (const work of ['refill', 'pod-metadata', 'events']) {
    expect(await ctx.controller!.metric('agent_sandbox_kit_claim_burst_holds_total', { work })).toBeGreaterThanOrEqual(1);
  }
});

test('a pool with no Ready member left refills at once', async () => {
  await createReadyPool(ctx.client, ns.name, 'shallow', 1);
  const before = await sandboxNames();
  const claimedAt = Date.now();
  await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, 'c2', 'shallow'));
  await waitForClaimsReady(ctx.client, ns.name, ['c2']);
  const refill = await waitFor('a new member', async () => {
    const fresh = (await sandboxNames()).filter((n) => !before.includes(n) && n !== 'c2');
    return fresh.length > 0 && fresh;
  }, { timeoutMs: 60_000, intervalMs: 100 });
  expect(refill).toHaveLength(1);
  expect(Date.now() - claimedAt).toBeLessThan(QUIET_MS);
});

test('Events held back during a burst are written before the controller exits', async () => {
  await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, 'c3', 'deep'));
  await waitForClaimsReady(ctx.client, ns.name, ['c3']);
  expect(await eventsFor('c3')).toEqual([]);
  expect(await ctx.controller!.stop()).toBe(0);
  expect((await eventsFor('c3')).map((e) => e.reason)).toEqual(['SandboxAdopted']);
});
