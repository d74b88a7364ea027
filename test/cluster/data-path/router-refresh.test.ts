// The router's watch-backed cache on the real API server, when the watch lags behind a pod IP change: the
// refused cached address is dropped, the Sandbox is read again and the request reaches the new address; a
// crashed sandbox costs one read per interval, however many requests fail.
import type { Sandbox } from '../../../lib/api';
import { KubeClient, Resources } from '../../../lib/kube';
import { AllowAllAuthorizer } from '../../../lib/router';
import { installCrds, podCidrEnv, useTestNamespace, waitFor } from '../harness';
import { adminClient } from '../claims/fixtures';
import { installRouterIdentity, RUNTIME_PORT, servePod, startRouter, type RunningRouter, type ServedPod } from './fixtures';

const ns = useTestNamespace('router-refresh');
let admin: KubeClient;
let router: RunningRouter;
let pod: ServedPod;
// Two addresses in the plane's pod range that kwok does not hand out this early (it counts up from .0.x).
const [oldIP, newIP] = ['254.1', '254.2'].map((suffix) => process.env[podCidrEnv]!.split('.').slice(0, 2).join('.') + '.' + suffix) as [string, string];

const REFRESH_INTERVAL_MS = 300;
const call = () => fetch(`${router.url}/`, { headers: { 'x-sandbox-id': 'moving', 'x-sandbox-namespace': ns.name, 'x-sandbox-port': String(RUNTIME_PORT) } });

/** Sets what the controller would report for a running sandbox: Ready with this pod IP. */
async function reportPodIP(name: string, ip: string): Promise<void> {
  const ready = { type: 'Ready', status: 'True', reason: 'DependenciesReady', message: 'test', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
  await admin.mergePatch(Resources.sandboxes, ns.name, name, { status: { podIPs: [ip], conditions: [ready] } }, { subresource: 'status' });
}

beforeAll(async () => {
  await installCrds();
  admin = await adminClient();
  router = await startRouter(await installRouterIdentity(), () => new AllowAllAuthorizer(), {}, { refreshIntervalMs: REFRESH_INTERVAL_MS });
  pod = await servePod(newIP);
});
afterAll(async () => {
  await pod?.stop();
  await router?.stop();
  admin?.close();
});

test('a pod IP change the watch has not delivered yet costs one re-read, not an error', async () => {
  const sandbox: Sandbox = {
    apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', metadata: { name: 'moving', namespace: ns.name },
    spec: { podTemplate: { spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1' }] } } },
  };
  await admin.create(Resources.sandboxes, sandbox);
  await reportPodIP('moving', oldIP);
  await waitFor('router cache has the old address', async () => router.cache.lookup(ns.name, 'moving')?.podIPs[0] === oldIP);

  router.cache.stop(); // the watch stops delivering: the cache keeps the old address, as during watch lag
  await reportPodIP('moving', newIP);
  const res = await call();
  expect([res.status, await res.json()]).toEqual([200, { status: 'ok', message: 'Sandbox Runtime is active.' }]);
  expect(router.cache.lookup(ns.name, 'moving')?.podIPs).toEqual([newIP]);

  await pod.stop(); // crashed: nothing listens on the current address either
  await new Promise((r) => setTimeout(r, REFRESH_INTERVAL_MS));
  const getsBefore = router.kube.requestCounts().get;
  const statuses = await Promise.all([1, 2, 3, 4, 5].map(async () => (await call()).status));
  expect(statuses).toEqual([502, 502, 502, 502, 502]);
  expect(router.kube.requestCounts().get - getsBefore).toBe(1); // one read shared by all five

  await admin.delete(Resources.sandboxes, ns.name, 'moving');
  await new Promise((r) => setTimeout(r, REFRESH_INTERVAL_MS));
  const gone = await call();
  expect([gone.status, await gone.json()]).toEqual([404, { detail: `Sandbox ${ns.name}/moving not found or not ready.` }]);
  expect(router.cache.lookup(ns.name, 'moving')).toBeUndefined();
});
