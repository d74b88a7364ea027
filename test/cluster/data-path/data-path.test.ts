// End to end on the real control plane: SDK -> SandboxClaim -> warm sandbox Ready (controller process) ->
// router (own RBAC, watch-backed cache, scoped tokens) -> runtime process on the pod's IP.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Sandbox } from '../../../lib/api';
import { ClaimFailedError, mintScopedToken, SandboxClient, type SandboxHandle } from '../../../lib/client';
import { KubeClient, Resources } from '../../../lib/kube';
import { ScopedTokenAuthorizer, TokenReviewAuthorizer } from '../../../lib/router';
import { kubectl, useTestNamespace, waitFor, type ControllerProcess } from '../harness';
import { adminClient } from '../claims/fixtures';
import { grantSandboxAccess, installRouterIdentity, RUNTIME_PORT, servePod, serveSandbox, startControllerWithPool, startRouter, type RunningRouter, type ServedPod } from './fixtures';

const SECRET = Buffer.from('cluster-test-scoped-token-secret-0123456789');
const ns = useTestNamespace('data-path');
let admin: KubeClient;
let controller: ControllerProcess;
let router: RunningRouter;
let routerKubeconfig: string;
let sdk: SandboxClient;
const pods: ServedPod[] = [];

const scopedToken = (namespace: string, name: string) => mintScopedToken(SECRET, { namespace, name, ttlSeconds: 300 });

beforeAll(async () => {
  admin = await adminClient();
  controller = await startControllerWithPool(ns.name, 'python', 2);
  routerKubeconfig = await installRouterIdentity();
  router = await startRouter(routerKubeconfig, () => new ScopedTokenAuthorizer(SECRET));
  sdk = new SandboxClient({
    kube: await adminClient(),
    connection: { mode: 'router', url: router.url, port: RUNTIME_PORT, token: (a) => scopedToken(a.namespace, a.sandbox) },
  });
});
afterAll(async () => {
  sdk?.close();
  await router?.stop();
  await Promise.all(pods.map((p) => p.stop()));
  await controller?.stop();
  admin?.close();
});

/** Claims a sandbox through the SDK and serves its pod with the runtime, once the router can route to it. */
async function claimAndServe(name: string): Promise<SandboxHandle> {
  const sandbox = await sdk.createSandbox({ namespace: ns.name, warmPool: 'python', name, shutdownAfterSeconds: 3600, readyTimeoutMs: 120_000 });
  pods.push(await serveSandbox(admin, ns.name, sandbox.address.sandbox));
  await waitFor(`router cache has ${sandbox.address.sandbox}`, async () => router.cache.lookup(ns.name, sandbox.address.sandbox) !== undefined);
  return sandbox;
}

let sandboxA: SandboxHandle;
let sandboxB: SandboxHandle;

test('SDK claims a warm sandbox and runs a command and a file round trip through the router', async () => {
  sandboxA = await claimAndServe('agent-a');
  expect(sandboxA.address.sandbox).toMatch(/^python-/); // warm sandboxes keep their pool-generated name
  const result = await sandboxA.run(`python3 -c "import os; print(6 * 7, os.getcwd() != '')"`);
  expect(result).toEqual({ stdout: '42 True\n', stderr: '', exitCode: 0, timedOut: false });
  await sandboxA.files.write('inputs/data.csv', 'a,b\n1,2\n');
  expect((await sandboxA.run('wc -l inputs/data.csv')).stdout).toBe('2 inputs/data.csv\n');
  await sandboxA.run(['sh', '-c', 'echo generated > report.txt']);
  expect((await sandboxA.files.read('report.txt')).toString()).toBe('generated\n');
  expect(await sandboxA.files.exists('inputs/data.csv')).toBe(true);

  const again = await sdk.createSandbox({ namespace: ns.name, warmPool: 'python', name: 'agent-a' });
  expect(again.address.sandbox).toBe(sandboxA.address.sandbox); // idempotent by caller-chosen name
});

test('streamed output arrives before the command ends', async () => {
  const seen: Array<{ at: number; type: string }> = [];
  for await (const event of sandboxA.runStream(['sh', '-c', 'echo first; sleep 1.5; echo last'])) seen.push({ at: Date.now(), type: event.type });
  const firstOutput = seen.find((e) => e.type === 'stdout')!;
  const exit = seen.find((e) => e.type === 'exit')!;
  expect(exit.at - firstOutput.at).toBeGreaterThanOrEqual(1000);
});

test('a claim for a missing pool fails fast with its reason and is cleaned up', async () => {
  const error = await sdk.createSandbox({ namespace: ns.name, warmPool: 'no-such-pool', name: 'doomed', readyTimeoutMs: 120_000 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ClaimFailedError);
  expect(error).toMatchObject({ namespace: ns.name, claim: 'doomed', reason: 'WarmPoolNotFound' });
  expect((error as Error).message).toBe(`SandboxClaim ${ns.name}/doomed failed: WarmPoolNotFound: SandboxWarmPool "no-such-pool" not found`);
  // The SDK deleted the failed claim before throwing (foreground propagation: the object lingers with a
  // deletionTimestamp until the garbage collector finishes), and it is gone shortly after.
  const right = await admin.getOrUndefined(Resources.sandboxClaims, ns.name, 'doomed');
  expect(right === undefined || right.metadata?.deletionTimestamp !== undefined).toBe(true);
  await waitFor('claim doomed to be deleted', async () => (await admin.getOrUndefined(Resources.sandboxClaims, ns.name, 'doomed')) === undefined, { timeoutMs: 60_000 });
});

test('suspend() stops routing once the controller suspends the sandbox; resume() brings it back', async () => {
  const name = sandboxA.address.sandbox;
  const ipBefore = (await admin.get<Sandbox>(Resources.sandboxes, ns.name, name)).status!.podIPs![0];
  const before = pods.find((p) => p.ip === ipBefore);
  await sandboxA.suspend();
  expect((await admin.get<Sandbox>(Resources.sandboxes, ns.name, name)).spec.operatingMode).toBe('Suspended');
  await waitFor(`router stops routing to suspended ${name}`, async () => router.cache.lookup(ns.name, name) === undefined, { timeoutMs: 60_000 });
  await expect(sandboxA.run('true')).rejects.toThrow('HTTP 404');
  await sandboxA.resume();
  await waitFor(`router routes to resumed ${name}`, async () => router.cache.lookup(ns.name, name), { timeoutMs: 60_000 });
  const podIP = (await admin.get<Sandbox>(Resources.sandboxes, ns.name, name)).status!.podIPs![0]!;
  // A resumed sandbox may get a new pod IP; its files live on (this stand-in for) its PVC.
  if (!pods.some((p) => p.ip === podIP)) pods.push(await servePod(podIP, before?.baseDir));
  expect((await sandboxA.run('echo back')).stdout).toBe('back\n');
});

describe('the router refuses', () => {
  beforeAll(async () => {
    sandboxB = await claimAndServe('agent-b');
    await grantSandboxAccess(ns.name, { name: 'default-sa', serviceAccounts: ['default'] });
  });
  const call = (headers: Record<string, string>) => fetch(`${router.url}/`, { headers: { 'x-sandbox-namespace': ns.name, 'x-sandbox-port': String(RUNTIME_PORT), ...headers } });

  test('unknown sandboxes, non-sandbox pods and foreign hosts', async () => {
    const unknown = await call({ 'x-sandbox-id': 'nope', authorization: `Bearer ${scopedToken(ns.name, 'nope')}` });
    expect([unknown.status, await unknown.json()]).toEqual([404, { detail: `Sandbox ${ns.name}/nope not found or not ready.` }]);

    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain-pod', namespace: ns.name }, spec: { containers: [{ name: 'c', image: 'example.invalid/x:1' }] } };
    await admin.create(Resources.pods, pod);
    await waitFor('plain pod has an IP', async () => (await admin.get<Pod & { metadata: object }>(Resources.pods, ns.name, 'plain-pod')).status?.podIP);
    const plain = await call({ 'x-sandbox-id': 'plain-pod', authorization: `Bearer ${scopedToken(ns.name, 'plain-pod')}` });
    expect(plain.status).toBe(404);

    const a = sandboxA.address.sandbox;
    const foreign = await call({ 'x-sandbox-id': a, 'x-sandbox-pod-ip': '127.0.0.1' });
    expect(foreign.status).toBe(401); // scoped-token mode: no token, no answer at all
    const tokenReviewRouter = await startRouter(routerKubeconfig, (kube) => new TokenReviewAuthorizer(kube));
    try {
      const token = (await kubectl(['create', 'token', 'default', '--namespace', ns.name])).trim();
      // X-Sandbox-Pod-IP naming another address is a stale hint: the request goes to A's own pod, never there.
      const viaIp = await fetch(`${tokenReviewRouter.url}/download/report.txt`, {
        headers: { 'x-sandbox-id': a, 'x-sandbox-namespace': ns.name, 'x-sandbox-port': String(RUNTIME_PORT), 'x-sandbox-pod-ip': '127.0.0.1', authorization: `Bearer ${token}` },
      });
      expect([viaIp.status, await viaIp.text()]).toEqual([200, 'generated\n']);
      expect(await tokenReviewRouter.metrics.registry.metrics()).toContain('sandbox_router_stale_pod_ip_hints_total 1');
    } finally {
      await tokenReviewRouter.stop();
    }
  });

  test('missing and wrong tokens; a token scoped to A cannot reach B', async () => {
    const a = sandboxA.address.sandbox;
    const b = sandboxB.address.sandbox;
    expect((await call({ 'x-sandbox-id': a })).status).toBe(401);
    const forged = mintScopedToken(Buffer.from('some-other-secret-some-other-secret-xx'), { namespace: ns.name, name: a, ttlSeconds: 60 });
    expect((await call({ 'x-sandbox-id': a, authorization: `Bearer ${forged}` })).status).toBe(401);
    const cross = await call({ 'x-sandbox-id': b, authorization: `Bearer ${scopedToken(ns.name, a)}` });
    expect([cross.status, await cross.json()]).toEqual([403, { detail: `Token is scoped to sandbox ${ns.name}/${a}, not ${ns.name}/${b}.` }]);
    const own = await call({ 'x-sandbox-id': b, authorization: `Bearer ${scopedToken(ns.name, b)}` });
    expect(await own.json()).toEqual({ status: 'ok', message: 'Sandbox Runtime is active.' });
  });

  test('tokenreview: a granted ServiceAccount token passes, garbage and missing tokens do not', async () => {
    const tokenReviewRouter = await startRouter(routerKubeconfig, (kube) => new TokenReviewAuthorizer(kube));
    try {
      const headers = { 'x-sandbox-id': sandboxB.address.sandbox, 'x-sandbox-namespace': ns.name, 'x-sandbox-port': String(RUNTIME_PORT) };
      const token = (await kubectl(['create', 'token', 'default', '--namespace', ns.name])).trim();
      expect((await fetch(`${tokenReviewRouter.url}/`, { headers: { ...headers, authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${tokenReviewRouter.url}/`, { headers: { ...headers, authorization: 'Bearer not-a-token' } })).status).toBe(401);
      expect((await fetch(`${tokenReviewRouter.url}/`, { headers })).status).toBe(401);
    } finally {
      await tokenReviewRouter.stop();
    }
  });
});

test('terminate deletes the claim and the router stops routing to its sandbox', async () => {
  const name = sandboxB.address.sandbox;
  await sandboxB.terminate();
  await waitFor(`router forgot ${name}`, async () => router.cache.lookup(ns.name, name) === undefined, { timeoutMs: 60_000 });
  await expect(sandboxB.run('true')).rejects.toThrow(`run on sandbox ${ns.name}/${name} failed with HTTP 404`);
  await sandboxB.terminate(); // idempotent
});
