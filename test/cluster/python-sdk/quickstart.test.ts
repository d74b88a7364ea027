// Upstream's Python SDK (k8s-agent-sandbox, pinned, from PyPI) runs its quick-start flow against our controller,
// router (tokenreview, per-sandbox RBAC) and runtime: claim from a warm pool, commands with and without a timeout,
// files, and a handle that keeps working after its pod was deleted and replaced (its X-Sandbox-Pod-IP is then
// stale; the router re-reads the Sandbox instead of refusing), then terminate. Direct mode with a token.
import { ANNOTATION, type Sandbox } from '../../../lib/api';
import { KubeClient, Resources } from '../../../lib/kube';
import { TokenReviewAuthorizer } from '../../../lib/router';
import { adminClient } from '../claims/fixtures';
import { adminKubeconfig, kubectl, useTestNamespace, waitFor, type ControllerProcess } from '../harness';
import { grantSandboxAccess, installRouterIdentity, servePod, startControllerWithPool, startRouter, type RunningRouter, type ServedPod } from '../data-path/fixtures';
import { PYTHON_SDK, pythonWithSdk } from './python-sdk';
import { expectQuickstartFlow, runQuickstart } from './quickstart';

const ns = useTestNamespace('python-sdk');
let admin: KubeClient;
let controller: ControllerProcess;
let router: RunningRouter;
const pods: ServedPod[] = [];

const sandboxOf = (name: string) => admin.get<Sandbox>(Resources.sandboxes, ns.name, name);
const readyIP = async (name: string): Promise<string | undefined> => {
  const sandbox = await sandboxOf(name);
  const ready = sandbox.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  return ready ? sandbox.status?.podIPs?.[0] : undefined;
};

beforeAll(async () => {
  await pythonWithSdk();
  admin = await adminClient();
  controller = await startControllerWithPool(ns.name, 'python', 1);
  const [member] = (await admin.list<Sandbox>(Resources.sandboxes, { namespace: ns.name })).items;
  pods.push(await servePod((await readyIP(member!.metadata.name!))!));
  router = await startRouter(await installRouterIdentity(), (kube, metrics) => new TokenReviewAuthorizer(kube, { metrics }));
  await grantSandboxAccess(ns.name, { name: 'python-sdk', serviceAccounts: ['default'] });
}, 600_000);
afterAll(async () => {
  await Promise.all(pods.map((p) => p.stop()));
  await router?.stop();
  await controller?.stop();
  admin?.close();
});

test(`${PYTHON_SDK.name} ${PYTHON_SDK.version}: quick start in direct mode with a token; the handle survives pod replacement`, async () => {
  const token = (await kubectl(['create', 'token', 'default', '--namespace', ns.name])).trim();
  const run = await runQuickstart({ ROUTER_URL: router.url, ROUTER_TOKEN: token, NAMESPACE: ns.name, WARM_POOL: 'python', KUBECONFIG: adminKubeconfig() }, async (steps) => {
    // Replace the pod under the live handle: delete it, the controller creates a new one at a new address.
    const sandbox = await sandboxOf(steps.claimed.sandbox);
    const oldIP = sandbox.status!.podIPs![0]!;
    const podName = sandbox.metadata.annotations?.[ANNOTATION.podName] || sandbox.metadata.name!;
    // kwok hands a freed address to the next Pod it starts, here the replacement, and recycles only the address a
    // deleted Pod still reports: clear it first, so the replacement moves to a new address as on a real node.
    await admin.mergePatch(Resources.pods, ns.name, podName, { status: { podIP: null, podIPs: null } }, { subresource: 'status' });
    await admin.delete(Resources.pods, ns.name, podName);
    const newIP = await waitFor('replacement pod Ready at a new address', async () => {
      const ip = await readyIP(steps.claimed.sandbox);
      return ip !== undefined && ip !== oldIP && ip;
    }, { timeoutMs: 60_000 });
    await pods.shift()!.stop();
    pods.push(await servePod(newIP));
  });
  expectQuickstartFlow(run, 'python');
  const { steps } = run;
  expect(await router.metrics.registry.metrics()).toMatch(/sandbox_router_stale_pod_ip_hints_total [1-9]/);
  await waitFor('claim deleted by terminate()', async () => (await admin.getOrUndefined(Resources.sandboxClaims, ns.name, steps.claimed.claim)) === undefined);
}, 300_000);
