// The controller is SIGKILLed in the middle of a claim burst and restarted: every claim still ends Ready with
// exactly one sandbox, no sandbox serves two claims, and the pool is never above its replicas.
import type { SandboxClaim } from '../../../lib/api/types';
import type { KubeClient } from '../../../lib/kube/client';
import { Resources } from '../../../lib/kube/resources';
import { installControllerIdentity, startController, useTestNamespace, waitFor, type ControllerProcess } from '../harness';
import { adminClient, checkBindings, claimObject, poolObject, templateObject, trackPoolSize, waitForClaimsReady, waitForPoolReady } from './fixtures';

const ns = useTestNamespace('claim-restart');
let client: KubeClient;
let kubeconfig: string;
let controller: ControllerProcess | undefined;

beforeAll(async () => {
  client = await adminClient();
  kubeconfig = await installControllerIdentity();
  controller = await startController({ kubeconfig });
});
afterAll(async () => {
  await controller?.stop();
  client?.close();
});

test('killed mid-burst, restarted: converges with no duplicate bindings', async () => {
  await client.create(Resources.sandboxTemplates, templateObject(ns.name, 'restart'));
  await client.create(Resources.sandboxWarmPools, poolObject(ns.name, 'restart', 'restart', 20));
  await waitForPoolReady(client, ns.name, 'restart', 20);
  const pool = trackPoolSize(client, ns.name);

  const names = Array.from({ length: 40 }, (_, i) => `r-${i}`);
  const creating = names.map((n) => client.create<SandboxClaim>(Resources.sandboxClaims, claimObject(ns.name, n, 'restart')));
  // kill as soon as the controller has started binding claims, while most of the burst is still in flight
  await waitFor('first claims bound', async () => {
    const list = await client.list<SandboxClaim>(Resources.sandboxClaims, { namespace: ns.name });
    return list.items.some((c) => c.status?.sandbox?.name);
  }, { timeoutMs: 60_000, intervalMs: 20 });
  await controller!.kill();
  controller = undefined;
  await Promise.all(creating);
  const boundWhileDown = (await client.list<SandboxClaim>(Resources.sandboxClaims, { namespace: ns.name })).items.filter((c) => c.status?.sandbox?.name).length;
  expect(boundWhileDown).toBeLessThan(names.length);

  controller = await startController({ kubeconfig });
  const claims = await waitForClaimsReady(client, ns.name, names);
  pool.stop();
  const report = await checkBindings(client, ns.name, claims);
  expect(report.problems).toEqual([]);
  expect(report.warm + report.cold).toBe(names.length);
  expect(report.warm).toBeGreaterThanOrEqual(20);
  expect(pool.max()).toBeLessThanOrEqual(20);
});
