// The router's watch-backed cache on the real API server, when the watch lags behind a pod IP change: the
// refused cached address is dropped, the Sandbox is read again and the request reaches the new address.
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

/** Sets what the controller would report for a running sandbox: Ready with this pod IP. */
async function reportPodIP(name: string, ip: string): Promise<void> {
  const ready = { type: 'Ready', status: 'True', reason: 'DependenciesReady', message: 'test', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
  await admin.mergePatch(Resources.sandboxes, ns.name, name, { status: { podIPs: [ip], conditions: [ready] } }, { subresource: 'status' });
}

beforeAll(async () => {
  await installCrds();
  admin = await adminClient();
  router = await startRouter(await installRouterIdentity(), () => new AllowAllAuthorizer());
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
  const res = await fetch(`${router.url}/`, { headers: { 'x-sandbox-id': 'moving', 'x-sandbox-namespace': ns.name, 'x-sandbox-port': String(RUNTIME_PORT) } });
  expect([res.status, await res.json()]).toEqual([200, { status: 'ok', message: 'Sandbox Runtime is active.' }]);
  expect(router.cache.lookup(ns.name, 'moving')?.podIPs).toEqual([newIP]);

  await admin.delete(Resources.sandboxes, ns.name, 'moving');
  await pod.stop();
  const gone = await fetch(`${router.url}/`, { headers: { 'x-sandbox-id': 'moving', 'x-sandbox-namespace': ns.name, 'x-sandbox-port': String(RUNTIME_PORT) } });
  expect([gone.status, await gone.json()]).toEqual([404, { detail: `Sandbox ${ns.name}/moving not found or not ready.` }]);
  expect(router.cache.lookup(ns.name, 'moving')).toBeUndefined();
});
