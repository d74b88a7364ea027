// Issue 18 on the real node, as deployed: upstream's Python SDK in its default connection mode, a tunnel through
// `kubectl port-forward svc/sandbox-router-svc` to our router Pod, with no token (the router trusts port-forwarded
// connections by default; the API server authorized them). The caller is the team's agent with exactly what a user of
// this mode needs: the team's agent Role (claims, sandboxes) and the router's tunnel Role (SandboxRouter `tunnelAccess`).
import { ANNOTATION, DEFAULT_SYSTEM_NAMESPACE, type Sandbox } from '../../../lib/api';
import { ROUTER_SERVICE_NAME, routerTunnelRbac } from '../../../lib/builders/router';
import { applyServerSide, getObject, kubectl, serviceAccountKubeconfig, waitFor, type KubectlError } from '../harness';
import { PYTHON_SDK, pythonWithSdk } from '../python-sdk/python-sdk';
import { expectQuickstartFlow, runQuickstart } from '../python-sdk/quickstart';
import { deploySynthesizedPlatform } from './platform';
import { deployTeam, podsOf, type DeployedTeam } from './deployed-team';

jest.setTimeout(10 * 60_000);

let team: DeployedTeam;
let kubeconfig: string;

beforeAll(async () => {
  await pythonWithSdk();
  await deploySynthesizedPlatform();
  team = await deployTeam('python-sdk', { poolReplicas: 1 });
  kubeconfig = await serviceAccountKubeconfig(team.namespace, team.agent);
}, 15 * 60_000);
afterAll(async () => {
  await kubectl(['delete', 'rolebinding,role', '-n', DEFAULT_SYSTEM_NAMESPACE, 'sandbox-router-tunnel', '--ignore-not-found']);
  await team?.remove();
});

test('without the tunnel Role the agent cannot open the tunnel', async () => {
  const refused = await kubectl(['port-forward', '-n', DEFAULT_SYSTEM_NAMESPACE, `svc/${ROUTER_SERVICE_NAME}`, ':8080'], { kubeconfig }).catch((e: KubectlError) => e);
  expect((refused as KubectlError).message).toMatch(/forbidden/i);
});

test(`${PYTHON_SDK.name} ${PYTHON_SDK.version}: quick start in the default tunnel mode, no token; the handle survives pod replacement`, async () => {
  await applyServerSide(routerTunnelRbac({ serviceAccounts: [`${team.namespace}/${team.agent}`] }) as object[]);
  const started = Date.now();
  const run = await runQuickstart({ NAMESPACE: team.namespace, WARM_POOL: team.pool, KUBECONFIG: kubeconfig }, async (steps) => {
    // Replace the gVisor Pod under the live handle (the SDK's pod-IP hint goes stale; the router re-reads the Sandbox).
    const sandbox = (await getObject<Sandbox>('sandbox', steps.claimed.sandbox, { namespace: team.namespace }))!;
    const before = sandbox.status!.podIPs![0];
    const podName = sandbox.metadata.annotations?.[ANNOTATION.podName] || sandbox.metadata.name!;
    await kubectl(['delete', 'pod', '-n', team.namespace, podName, '--wait=false']);
    await waitFor('the replacement Pod Ready at a new address', async () => {
      const [pod] = (await podsOf(team.namespace)).filter((p) => p.metadata!.name === podName);
      const ready = pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      return ready && pod!.status!.podIP !== before;
    }, { timeoutMs: 120_000, intervalMs: 500 });
  });
  console.log(`quick start through kubectl port-forward: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expectQuickstartFlow(run, team.pool);
  await waitFor('claim deleted by terminate()', async () => (await getObject('sandboxclaim', run.steps.claimed.claim, { namespace: team.namespace })) === undefined);
}, 5 * 60_000);
