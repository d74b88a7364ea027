// What one warm claim costs the API server, read from the plane's audit log: exactly five writes (claim create,
// adoption patch, claim status, the Pod's label patch, the SandboxAdopted event), and an adoption that leaves the
// Sandbox's generation (hence its status) alone.
import type { Sandbox, SandboxClaim } from '../../../lib/api/types';
import { Resources } from '../../../lib/kube/resources';
import { AuditLog, countByKind, isClaimPathWrite } from '../harness/audit-log';
import { kubectl, useTestNamespace, waitFor } from '../harness';
import { claimObject, createReadyPool, useClaimController, waitForClaimsReady } from './fixtures';

const ns = useTestNamespace('claim-writes');
const ctx = useClaimController();

test('a warm claim costs five writes; the adopted Sandbox keeps its generation and status', async () => {
  await createReadyPool(ctx.client, ns.name, 'pool', 2);
  const audit = new AuditLog();
  const mark = audit.mark();
  const membersBefore = (await ctx.client.list<Sandbox>(Resources.sandboxes, { namespace: ns.name })).items;

  await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, 'c1', 'pool'));
  const [claim] = await waitForClaimsReady(ctx.client, ns.name, ['c1']);
  const bound = claim.status!.sandbox!.name!;
  const before = membersBefore.find((s) => s.metadata.name === bound)!;
  expect(before).toBeDefined(); // a warm member, not a cold Sandbox

  // Follow-up writes (the Pod's label patch, the event) land within moments; wait until the count is stable.
  const claimPath = await waitFor('claim path writes settle', async () => {
    const writes = audit.since(mark).filter((w) => w.namespace === ns.name && isClaimPathWrite(w, new Set(['c1']), new Set([bound])));
    await new Promise((r) => setTimeout(r, 1000));
    const again = audit.since(mark).filter((w) => w.namespace === ns.name && isClaimPathWrite(w, new Set(['c1']), new Set([bound])));
    return writes.length === again.length && writes.length >= 5 && again;
  }, { timeoutMs: 30_000, intervalMs: 100 });
  expect(countByKind(claimPath)).toEqual({
    'sandboxclaims create': 1, 'sandboxes patch': 1, 'sandboxclaims/status patch': 1, 'pods patch': 1, 'events create': 1,
  });

  const adopted = await ctx.client.get<Sandbox>(Resources.sandboxes, ns.name, bound);
  expect(adopted.metadata.generation).toBe(before.metadata.generation);
  expect(adopted.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'SandboxClaim', name: 'c1', controller: true })]);
  const events = JSON.parse(await kubectl(['get', 'events', '-n', ns.name, '-o', 'json', '--field-selector', 'involvedObject.name=c1'])).items;
  expect(events).toEqual([expect.objectContaining({ type: 'Normal', reason: 'SandboxAdopted', message: `Adopted warm pool Sandbox "${bound}"` })]);
  // The adopted Pod is no longer the pool's and no longer evictable.
  const pod = JSON.parse(await kubectl(['get', 'pod', bound, '-n', ns.name, '-o', 'json']));
  expect(pod.metadata.labels['agents.x-k8s.io/warm-pool-sandbox']).toBeUndefined();
  expect(pod.metadata.annotations?.['cluster-autoscaler.kubernetes.io/safe-to-evict']).toBeUndefined();
  const stored = await ctx.client.get<SandboxClaim>(Resources.sandboxClaims, ns.name, 'c1');
  expect(stored.metadata.annotations?.['agents.x-k8s.io/claim-first-ready-at']).toBeUndefined(); // stamps are off by default
});
