// Leader election between real controller processes running as the controller ServiceAccount (so the synthesized
// Lease RBAC is exercised too): exactly one leads; a killed leader is replaced within the lease duration (and not
// before it expired); a leader stopped with SIGTERM releases the Lease so the other takes over at once.
import { KubeClient, Resources } from '../../../lib/kube';
import { LEADER_ELECTION_ID, type Lease } from '../../../lib/controller-runtime';
import { adminKubeconfig, CONTROLLER_NAMESPACE, installControllerIdentity, startController, waitFor, type ControllerProcess } from '../harness';

let admin: KubeClient;
let kubeconfig: string;
const running: ControllerProcess[] = [];

// The Lease is the one every controller the harness starts uses: start each test without a holder.
const deleteLease = () => admin.delete(Resources.leases, CONTROLLER_NAMESPACE, LEADER_ELECTION_ID).catch(() => undefined);

beforeAll(async () => {
  kubeconfig = await installControllerIdentity();
  admin = await KubeClient.create({ kubeconfig: adminKubeconfig() });
  await deleteLease();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
  await deleteLease();
});
afterAll(() => admin.close());

async function start(): Promise<ControllerProcess> {
  const controller = await startController({ kubeconfig });
  running.push(controller);
  return controller;
}

/** The leader-election identity a controller uses (logged before its first attempt). */
function identity(controller: ControllerProcess): Promise<string> {
  return waitFor('controller leader-election identity', async () => controller.logged('attempting to acquire leader lease')?.identity as string | undefined, { timeoutMs: 60_000 });
}

/** GET on a controller's metrics or probe server. */
async function get(url: string | undefined, path = ''): Promise<{ code: number; body: string }> {
  const res = await fetch(`${url}${path}`);
  return { code: res.status, body: await res.text() };
}

async function holder(): Promise<string | undefined> {
  const lease = await admin.getOrUndefined<Lease>(Resources.leases, CONTROLLER_NAMESPACE, LEADER_ELECTION_ID);
  return lease?.spec?.holderIdentity || undefined;
}

/** Starts two replicas and resolves once one holds the Lease: [leader, follower]. */
async function electedPair(): Promise<{ leader: ControllerProcess; follower: ControllerProcess; followerId: string }> {
  const [a, b] = await Promise.all([start(), start()]);
  const [idA, idB] = await Promise.all([identity(a), identity(b)]);
  const first = await waitFor('a leader', holder, { timeoutMs: 60_000 });
  expect([idA, idB]).toContain(first);
  return first === idA ? { leader: a, follower: b, followerId: idB } : { leader: b, follower: a, followerId: idA };
}

test('two replicas: exactly one leads and only it starts controllers', async () => {
  const { leader, follower } = await electedPair();
  await waitFor('leader starts its controllers', async () => leader.logged('controllers started') !== undefined, { timeoutMs: 30_000 });
  const leaderId = await holder();
  // Several renew periods later the same replica still leads and the other never started controllers.
  await new Promise((r) => setTimeout(r, 6000));
  expect(await holder()).toBe(leaderId);
  expect(follower.logged('caches synced')).toBeDefined();
  expect(follower.logged('controllers started')).toBeUndefined();
  expect(follower.logged('successfully acquired lease')).toBeUndefined();
  // Both are ready (the follower once its caches synced, so rolling updates proceed); only the leader reports leading.
  expect(await get(leader.probesUrl, '/readyz')).toEqual({ code: 200, body: 'ok\n' });
  expect(await get(follower.probesUrl, '/readyz')).toEqual({ code: 200, body: 'ok\n' });
  expect((await get(follower.probesUrl, '/healthz')).code).toBe(200);
  const leaderMetrics = (await get(leader.metricsUrl)).body;
  expect(leaderMetrics).toContain(`leader_election_master_status{name="${LEADER_ELECTION_ID}"} 1`);
  expect(leaderMetrics).toMatch(/controller_runtime_max_concurrent_reconciles\{controller="sandbox"\} 100/);
  expect(leaderMetrics).toMatch(/rest_client_requests_total\{code="200",method="GET",verb="list",resource="sandboxes"\} \d+/);
  expect((await get(follower.metricsUrl)).body).toContain(`leader_election_master_status{name="${LEADER_ELECTION_ID}"} 0`);
});

test('killing the leader (SIGKILL) hands over after the lease expires, within the lease duration plus a retry', async () => {
  const { leader, follower, followerId } = await electedPair();
  await waitFor('leader starts its controllers', async () => leader.logged('controllers started') !== undefined, { timeoutMs: 30_000 });
  await leader.kill();
  const killedAt = Date.now();
  await waitFor('follower takes over', async () => (await holder()) === followerId, { timeoutMs: 40_000, intervalMs: 200 });
  const handover = Date.now() - killedAt;
  expect(handover).toBeLessThan(15_000 + 2 * 2_400 + 3_000); // lease + two jittered retry periods + API latency
  expect(handover).toBeGreaterThan(10_000); // the dead leader's lease was respected
  await waitFor('new leader starts its controllers', async () => follower.logged('controllers started') !== undefined, { timeoutMs: 30_000 });
});

test('SIGTERM on the leader releases the Lease: the follower takes over at once and the leader exits 0', async () => {
  const { leader, follower, followerId } = await electedPair();
  await waitFor('leader starts its controllers', async () => leader.logged('controllers started') !== undefined, { timeoutMs: 30_000 });
  const before = (await admin.get<Lease>(Resources.leases, CONTROLLER_NAMESPACE, LEADER_ELECTION_ID)).spec!.leaseTransitions ?? 0;
  const stoppedAt = Date.now();
  expect(await leader.stop()).toBe(0);
  expect(leader.logged('released leader lease')).toBeDefined();
  await waitFor('follower takes over', async () => (await holder()) === followerId, { timeoutMs: 20_000, intervalMs: 100 });
  expect(Date.now() - stoppedAt).toBeLessThan(6_000);
  const lease = await admin.get<Lease>(Resources.leases, CONTROLLER_NAMESPACE, LEADER_ELECTION_ID);
  expect(lease.spec!.leaseTransitions).toBe(before + 1);
  expect(lease.spec!.leaseDurationSeconds).toBe(15);
  await waitFor('new leader starts its controllers', async () => follower.logged('controllers started') !== undefined, { timeoutMs: 30_000 });
});

test('a leader that cannot renew (Lease taken over) stops and exits non-zero within the renew deadline', async () => {
  const controller = await start();
  const id = await identity(controller);
  await waitFor('it leads', async () => (await holder()) === id, { timeoutMs: 60_000 });
  await waitFor('controllers started', async () => controller.logged('controllers started') !== undefined, { timeoutMs: 30_000 });
  // Another party takes the Lease; the controller must notice and give up rather than keep reconciling.
  const lease = await admin.get<Lease>(Resources.leases, CONTROLLER_NAMESPACE, LEADER_ELECTION_ID);
  const now = new Date().toISOString().replace('Z', '000Z');
  await admin.update(Resources.leases, { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: now, leaseDurationSeconds: 3600 } });
  const takenAt = Date.now();
  expect(await controller.exited).toBe(1);
  expect(Date.now() - takenAt).toBeLessThan(10_000 + 2_400 + 3_000);
  expect(controller.logged('leader election lost; exiting')).toBeDefined();
  expect(await holder()).toBe('intruder'); // it did not release a Lease it no longer held
});
