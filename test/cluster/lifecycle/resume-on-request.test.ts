// Issue 19 through the router, on the local plane with exactly the RBAC we synthesize (router identity from
// buildRouter, its namespaced lifecycle Role, callers' sandboxes/proxy grants): a request to a suspended sandbox resumes
// it and is answered; 50 concurrent requests cause one resume; a caller without access cannot wake it; past the hold,
// 503 with Retry-After; idle suspend after the timeout, not before, and not while a streamed command runs.
import type { Sandbox } from '../../../lib/api';
import { ANNOTATION, CONDITION } from '../../../lib/api';
import { routerLifecycleRbac } from '../../../lib/builders/router';
import { KubeClient, Resources } from '../../../lib/kube';
import {
  ActivityRecorder, DEFAULT_ROUTER_CONFIG, LifecycleRouterMetrics, NodeAddressCache, RouterMetrics, RouterServer, SandboxCache, SandboxWaker,
  TokenReviewAuthorizer, type SandboxResolver, type SandboxTarget,
} from '../../../lib/router';
import { adminClient } from '../claims/fixtures';
import { sandboxManifest } from '../controller/fixtures';
import { grantSandboxAccess, installRouterIdentity, RUNTIME_PORT, servePod, type ServedPod } from '../data-path/fixtures';
import { applyServerSide, installControllerIdentity, kubectl, startController, useTestNamespace, waitFor, type ControllerProcess } from '../harness';

const ns = useTestNamespace('resume');
let admin: KubeClient;
let controller: ControllerProcess;
let router: { url: string; metrics: LifecycleRouterMetrics; activity: ActivityRecorder; stop(): Promise<void> };
const served = new Map<string, ServedPod>();
const tokens = { caller: '', outsider: '' };

/**
 * The router's real Sandbox cache, seen through what a readiness probe on the runtime port gives a real cluster and
 * kwok does not: a sandbox is Ready for the router only once its runtime serves its pod IP.
 */
function probedResolver(cache: SandboxCache): SandboxResolver {
  const serving = (target: SandboxTarget | undefined) => (target && [...served.values()].some((p) => p.ip === target.podIPs[0]) ? target : undefined);
  return {
    lookup: (namespace, name) => serving(cache.lookup(namespace, name)),
    ready: () => cache.ready(),
    refresh: async (namespace, name) => serving(await cache.refresh(namespace, name)),
  };
}

async function startLifecycleRouter(kubeconfig: string, resumeHoldSeconds: number) {
  const kube = await KubeClient.create({ kubeconfig });
  const cache = new SandboxCache(kube);
  const nodes = new NodeAddressCache(kube);
  await Promise.all([cache.start(), nodes.start()]);
  const resolver = probedResolver(cache);
  const metrics = new RouterMetrics();
  const lifecycleMetrics = new LifecycleRouterMetrics(metrics);
  const activity = new ActivityRecorder({ client: kube, onWrite: lifecycleMetrics.countActivityWrite });
  const server = new RouterServer({
    config: { ...DEFAULT_ROUTER_CONFIG, allowLoopbackPodIP: true, accessLog: false, resumeHoldSeconds }, resolver, nodeAddresses: nodes, metrics,
    authorizer: new TokenReviewAuthorizer(kube, { metrics }),
    lifecycle: { metrics: lifecycleMetrics, activity, waker: new SandboxWaker({ client: kube, resolver, holdMs: resumeHoldSeconds * 1000, metrics: lifecycleMetrics }) },
  });
  const port = await server.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`, metrics: lifecycleMetrics, activity,
    stop: async () => {
      await activity.stop();
      cache.stop();
      nodes.stop();
      await server.close();
      kube.close();
    },
  };
}

const getSandbox = (name: string) => admin.get<Sandbox>(Resources.sandboxes, ns.name, name);
const ready = (sb: Sandbox) => sb.status?.conditions?.some((c) => c.type === CONDITION.ready && c.status === 'True') ?? false;

/** Serves the runtime on the Sandbox's pod IP once it has one (stopping what served its previous pod). */
async function serve(name: string): Promise<ServedPod> {
  await served.get(name)?.stop();
  const ip = await waitFor(`${name} has a pod IP`, async () => (await getSandbox(name)).status?.podIPs?.[0], { timeoutMs: 60_000, intervalMs: 50 });
  const pod = await servePod(ip);
  served.set(name, pod);
  return pod;
}

async function suspend(name: string): Promise<void> {
  await admin.mergePatch(Resources.sandboxes, ns.name, name, { spec: { operatingMode: 'Suspended' } });
  await waitFor(`${name} pod gone`, async () => !(await admin.getOrUndefined(Resources.pods, ns.name, name)), { timeoutMs: 60_000 });
  await served.get(name)?.stop();
  served.delete(name);
}

function execute(name: string, bearer: string, command = 'echo hi'): Promise<Response> {
  return fetch(`${router.url}/execute`, {
    method: 'POST', body: JSON.stringify({ command }),
    headers: { 'x-sandbox-id': name, 'x-sandbox-namespace': ns.name, 'x-sandbox-port': String(RUNTIME_PORT), authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
  });
}

async function readySandbox(name: string, spec: Partial<Sandbox['spec']> = {}): Promise<void> {
  await admin.create(Resources.sandboxes, sandboxManifest(ns.name, name, spec));
  await waitFor(`${name} Ready`, async () => ready(await getSandbox(name)), { timeoutMs: 60_000 });
}

beforeAll(async () => {
  admin = await adminClient();
  await grantSandboxAccess(ns.name, { name: 'caller', serviceAccounts: ['caller'] });
  await applyServerSide(routerLifecycleRbac(ns.name) as object[]);
  for (const sa of ['caller', 'outsider'] as const) {
    await admin.create(Resources.serviceAccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns.name } });
    tokens[sa] = (await kubectl(['create', 'token', sa, '--namespace', ns.name])).trim();
  }
  controller = await startController({ kubeconfig: await installControllerIdentity() });
  router = await startLifecycleRouter(await installRouterIdentity(), 30);
}, 120_000);
afterAll(async () => {
  for (const pod of served.values()) await pod.stop();
  await router?.stop();
  await controller?.stop();
  admin?.close();
});

test('a caller without access cannot wake a suspended sandbox; 50 concurrent authorized requests resume it once and are all answered', async () => {
  await readySandbox('sleepy');
  await serve('sleepy');
  await suspend('sleepy');

  // An outsider (no sandboxes/proxy grant) is refused and the sandbox stays suspended.
  const refused = await execute('sleepy', tokens.outsider);
  expect(refused.status).toBe(403);
  expect(await router.metrics.resumes.get()).toMatchObject({ values: [] });
  expect((await getSandbox('sleepy')).spec.operatingMode).toBe('Suspended');

  // 50 authorized requests at once: one resume, each held until the resumed sandbox answers.
  const answers = Array.from({ length: 50 }, (_, i) => execute('sleepy', tokens.caller, `echo ${i}`));
  await serve('sleepy');
  const responses = await Promise.all(answers);
  expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
  const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ stdout: string }>));
  expect(bodies.map((b) => b.stdout)).toEqual(Array.from({ length: 50 }, (_, i) => `${i}\n`));
  expect((await router.metrics.resumes.get()).values).toEqual([expect.objectContaining({ labels: { sandbox_namespace: ns.name, result: 'resumed' }, value: 1 })]);
  const latency = (await router.metrics.resumeLatency.get()).values.find((v) => v.metricName === 'sandbox_router_resume_latency_seconds_count');
  expect(latency?.value).toBe(50);
  const resumed = await getSandbox('sleepy');
  expect(resumed.spec.operatingMode).toBe('Running');
  expect(resumed.metadata.annotations?.[ANNOTATION.suspendReason]).toBeUndefined();

  // Suspended again, the next request resumes it again (a second resume, not a wait on the first).
  await suspend('sleepy');
  const again = execute('sleepy', tokens.caller, 'echo again');
  await serve('sleepy');
  expect(await (await again).json()).toMatchObject({ stdout: 'again\n' });
  expect((await router.metrics.resumes.get()).values).toEqual([expect.objectContaining({ value: 2 })]);
});

test('past the hold the router answers 503 with Retry-After', async () => {
  const holdRouter = await startLifecycleRouter(await installRouterIdentity(), 2);
  try {
    // A pod that can never schedule: resumed, it never becomes Ready.
    await admin.create(Resources.sandboxes, sandboxManifest(ns.name, 'stuck', { operatingMode: 'Suspended', podTemplate: { spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'c', image: 'example.invalid/x:1' }] } } }));
    await waitFor('stuck suspended', async () => (await getSandbox('stuck')).status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True'));
    const started = Date.now();
    const answer = await fetch(`${holdRouter.url}/execute`, {
      method: 'POST', body: JSON.stringify({ command: 'true' }),
      headers: { 'x-sandbox-id': 'stuck', 'x-sandbox-namespace': ns.name, 'x-sandbox-port': String(RUNTIME_PORT), authorization: `Bearer ${tokens.caller}` },
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(await answer.json()).toEqual({ detail: `Sandbox ${ns.name}/stuck is resuming and not Ready yet; retry later.` });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect((await getSandbox('stuck')).spec.operatingMode).toBe('Running');
  } finally {
    await holdRouter.stop();
  }
});

test('idle suspend: after the timeout without requests, not before, and never while a streamed command runs', async () => {
  await readySandbox('idle', { idleTimeoutSeconds: 60 });
  await readySandbox('busy', { idleTimeoutSeconds: 60 });
  await serve('idle');
  await serve('busy');
  // The idle timeout counts from Ready (no request came since).
  const readyAt = Date.parse((await getSandbox('idle')).status!.conditions!.find((c) => c.type === CONDITION.ready)!.lastTransitionTime!);
  // A streamed command on `busy` that outlasts the idle timeout (and its write-interval slack) by far.
  const stream = await fetch(`${router.url}/v1/exec/stream`, {
    method: 'POST', body: JSON.stringify({ command: ['sh', '-c', 'for i in $(seq 1 100); do echo tick; sleep 1; done'] }),
    headers: { 'x-sandbox-id': 'busy', 'x-sandbox-namespace': ns.name, 'x-sandbox-port': String(RUNTIME_PORT), authorization: `Bearer ${tokens.caller}`, 'content-type': 'application/json' },
  });
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  let ticks = 0;
  const reading = (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) ticks += (Buffer.from(r.value).toString().match(/tick/g) ?? []).length;
  })().catch((err: unknown) => err);

  // Not before: at 50 s both still run.
  await new Promise((r) => setTimeout(r, 50_000 - (Date.now() - readyAt)));
  expect((await getSandbox('idle')).spec.operatingMode).not.toBe('Suspended');
  // After: `idle` is suspended for reason idle within the timeout plus the write interval (and a pass's slack).
  const suspended = await waitFor('idle suspended', async () => {
    const sb = await getSandbox('idle');
    return sb.spec.operatingMode === 'Suspended' && sb;
  }, { timeoutMs: 45_000, intervalMs: 500 });
  expect(Date.now() - readyAt).toBeGreaterThanOrEqual(60_000);
  expect(suspended.metadata.annotations?.[ANNOTATION.suspendReason]).toBe('idle');
  // Never mid-command: `busy` is running, its stream still delivering, its activity written while the stream is open.
  await new Promise((r) => setTimeout(r, 5000));
  const busy = await getSandbox('busy');
  expect(busy.spec.operatingMode).toBe('Running');
  expect(Date.parse(busy.metadata.annotations![ANNOTATION.lastActivity]!)).toBeGreaterThan(readyAt + 60_000);
  expect(ticks).toBeGreaterThan(60);
  expect(await controller.metric('agent_sandbox_kit_suspends_total', { reason: 'idle' })).toBeGreaterThanOrEqual(1);
  await reader.cancel();
  await reading;
}, 180_000);
