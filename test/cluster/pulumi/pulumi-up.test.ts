// `pulumi up` per environment through the real CLI (offline toolchain from build-pulumi.sh, file backend) on
// this repository's Pulumi.yaml: from a cluster without any of our objects, one `up -s dev` creates the
// CRDs, controller, runtime class, team, template and warm pool; the pool becomes Ready with our controller
// running; a second preview and a second `up` change nothing; warm pool 5 -> 8 updates exactly that object; the CrossGuard
// pack rejects a stack adding a privileged template; destroy removes everything; then `up -s prod` shows
// the per-environment differences. On the kwok plane the controller Deployment's pods run nothing, so
// our controller runs as a local process authenticated as the ServiceAccount the stack created, with
// exactly the RBAC the stack created and the flags of the Deployment the stack created.
import { join, resolve } from 'node:path';
import { allCrds, SANDBOX_WARM_POOL } from '../../../lib/api';
import { CONTROLLER_NAME } from '../../../lib/builders/controller-deployment';
import { PLATFORM_PRIORITY_CLASS_NAME } from '../../../lib/builders/platform';
import {
  adminKubeconfig, CONTROLLER_NAMESPACE, getObject, kubectl, serviceAccountKubeconfig, startController, waitFor,
  waitForCondition, waitForDeletion, type ControllerProcess,
} from '../harness';
import { pulumiProject, type CliResult, type PulumiProject } from './project';

jest.setTimeout(20 * 60_000);

const TEAM = 'research';
const POOL = `${SANDBOX_WARM_POOL.plural}.${SANDBOX_WARM_POOL.group}`;
const repoRoot = resolve(__dirname, '../../..');

/** Every object of the platform outside the two namespaces, plus the namespaces: what "empty" means. */
const CLUSTER_OBJECTS: [resource: string, name: string][] = [
  ...allCrds().map((crd): [string, string] => ['crd', crd.metadata!.name!]),
  ['clusterrole', CONTROLLER_NAME], ['clusterrole', `${CONTROLLER_NAME}-extensions`],
  ['clusterrolebinding', CONTROLLER_NAME], ['clusterrolebinding', `${CONTROLLER_NAME}-extensions`],
  ['runtimeclass', 'gvisor'], ['priorityclass', PLATFORM_PRIORITY_CLASS_NAME],
  ['validatingadmissionpolicy', `agent-sandbox-guardrails-${TEAM}`], ['validatingadmissionpolicybinding', `agent-sandbox-guardrails-${TEAM}`],
  ['namespace', CONTROLLER_NAMESPACE], ['namespace', TEAM],
];

async function expectClusterEmpty(): Promise<void> {
  for (const [resource, name] of CLUSTER_OBJECTS) await waitForDeletion(resource, name, { timeoutMs: 120_000 });
}

/** Fails with the CLI's own output when it did not exit 0 or outlived its deadline. */
function succeeded(result: CliResult): CliResult {
  if (result.code !== 0 || result.timedOut) {
    throw new Error(`${result.timedOut ?? `pulumi exited ${result.code}`}:\n${result.stdout.slice(-6000)}\n${result.stderr.slice(-4000)}`);
  }
  return result;
}

let project: PulumiProject;
let controller: ControllerProcess | undefined;

beforeAll(async () => {
  // First, so a missing toolchain fails the file without touching the cluster.
  project = pulumiProject(['Pulumi.yaml', 'Pulumi.dev.yaml', 'Pulumi.prod.yaml'], adminKubeconfig());
  // Other test files install the CRDs and the controller's RBAC themselves; this one starts without them.
  for (const [resource, name] of CLUSTER_OBJECTS) await kubectl(['delete', resource, name, '--ignore-not-found', '--wait=false']);
  await expectClusterEmpty();
  for (const stack of ['dev', 'prod']) {
    succeeded(await project.run(['stack', 'init', stack]));
    // kwok's loopback pod IPs never become endpoints (see examples/pulumi/platform.ts).
    succeeded(await project.run(['config', 'set', 'skipServiceAwait', 'true', '-s', stack]));
  }
});

afterAll(async () => {
  await controller?.stop();
  if (project) console.log(project.runs.map((r) => `${r.command}: ${r.seconds.toFixed(1)} s (load ${r.load.toFixed(1)})`).join('\n'));
  project?.dispose();
});

test('one `up -s dev` from an empty cluster creates CRDs, controller, runtime class, team, template and pool', async () => {
  succeeded(await project.run(['up', '-s', 'dev', '--yes']));
  for (const crd of allCrds()) await waitForCondition('crd', crd.metadata!.name!, 'Established');
  const deployment = await getObject('deployment', CONTROLLER_NAME, { namespace: CONTROLLER_NAMESPACE });
  expect(deployment?.spec.replicas).toBe(1);
  // The provider waits for the Deployment's rollout (kwok runs its pod): a pod that cannot be scheduled
  // used to keep this `up` waiting for the provider's 10-minute timeout, which the run deadline now catches.
  expect(deployment?.status.availableReplicas).toBe(1);
  expect(deployment?.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--kube-api-qps=20', '--zap-log-level=debug']));
  expect((await getObject('runtimeclass', 'gvisor'))?.handler).toBe('runsc');
  expect(await getObject('sandboxtemplate.extensions.agents.x-k8s.io', 'python', { namespace: TEAM })).toBeDefined();
  expect((await getObject(POOL, 'python', { namespace: TEAM }))?.spec.replicas).toBe(5);
});

test('the warm pool becomes Ready with our controller running under the RBAC the stack created', async () => {
  const deployment = await getObject('deployment', CONTROLLER_NAME, { namespace: CONTROLLER_NAMESPACE });
  // The harness sets leader election and extensions itself; every other flag comes from the Deployment.
  const args = (deployment!.spec.template.spec.containers[0].args as string[]).filter((a) => !/^--(leader-elect|extensions)=/.test(a));
  controller = await startController({ kubeconfig: await serviceAccountKubeconfig(CONTROLLER_NAMESPACE, CONTROLLER_NAME), args });
  await waitFor('warm pool research/python Ready with 5', async () => {
    const pool = await getObject(POOL, 'python', { namespace: TEAM });
    return pool?.status?.readyReplicas === 5 && pool;
  }, { timeoutMs: 180_000, intervalMs: 500 });
});

test('a second preview and a second `up` change nothing', async () => {
  succeeded(await project.run(['preview', '-s', 'dev', '--expect-no-changes']));
  succeeded(await project.run(['up', '-s', 'dev', '--yes', '--expect-no-changes']));
});

test('warm pool 5 -> 8 updates exactly that object', async () => {
  succeeded(await project.run(['config', 'set', 'warmPoolSize', '8', '-s', 'dev']));
  const preview = JSON.parse(succeeded(await project.run(['preview', '-s', 'dev', '--json', '--diff'])).stdout) as {
    steps: { op: string; urn: string; diffs?: string[]; detailedDiff?: Record<string, unknown> }[];
  };
  const changed = preview.steps.filter((s) => s.op !== 'same');
  expect(changed.map((s) => [s.op, s.urn.split('::').pop()])).toEqual([['update', `${TEAM}/python`]]);
  expect(changed[0].urn).toContain('SandboxWarmPool');
  expect(Object.keys(changed[0].detailedDiff ?? {})).toEqual(['spec.replicas']);
  succeeded(await project.run(['up', '-s', 'dev', '--yes']));
  await waitFor('warm pool research/python Ready with 8', async () => {
    const pool = await getObject(POOL, 'python', { namespace: TEAM });
    return pool?.spec.replicas === 8 && pool?.status?.readyReplicas === 8;
  }, { timeoutMs: 180_000, intervalMs: 500 });
});

test('the CrossGuard pack rejects a stack that adds a privileged template, naming resource, field and rule', async () => {
  const privileged = pulumiProject(['test/cluster/pulumi/privileged-template/Pulumi.yaml', 'test/cluster/pulumi/privileged-template/index.ts'], adminKubeconfig());
  try {
    succeeded(await privileged.run(['stack', 'init', 'check']));
    const result = await privileged.run(['preview', '-s', 'check', '--policy-pack', join(repoRoot, 'lib/pulumi/policy-pack')]);
    const output = result.stdout + result.stderr;
    expect(result.code).not.toBe(0);
    expect(output).toContain('agent-sandbox-guardrails');
    expect(output).toMatch(/mandatory/);
    expect(output).toMatch(/SandboxTemplate research\/privileged: spec\.podTemplate\.spec\.containers\[0\]\.securityContext\.privileged: .*\[rule no-privileged\]/);
    // The resource, as CrossGuard names it: type token and Pulumi name.
    expect(output).toContain('(kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxTemplate: privileged)');
  } finally {
    privileged.dispose();
  }
});

test('destroy removes everything', async () => {
  succeeded(await project.run(['destroy', '-s', 'dev', '--yes']));
  await controller?.stop();
  controller = undefined;
  await expectClusterEmpty();
});

test('`up -s prod` differs from dev in controller replicas and flags and warm-pool size, and is destroyed too', async () => {
  succeeded(await project.run(['up', '-s', 'prod', '--yes']));
  const deployment = await getObject('deployment', CONTROLLER_NAME, { namespace: CONTROLLER_NAMESPACE });
  expect(deployment?.spec.replicas).toBe(2);
  const args = deployment?.spec.template.spec.containers[0].args as string[];
  expect(args).toEqual(expect.arrayContaining(['--leader-elect=true', '--kube-api-qps=200', '--sandbox-concurrent-workers=200']));
  expect(args).not.toContain('--zap-log-level=debug');
  expect((await getObject(POOL, 'python', { namespace: TEAM }))?.spec.replicas).toBe(30);
  succeeded(await project.run(['destroy', '-s', 'prod', '--yes']));
  await expectClusterEmpty();
});
