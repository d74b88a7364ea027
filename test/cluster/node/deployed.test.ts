// The platform as deployed, end to end on the real node: `npm run synth`'s platform chart applied as a user would,
// the controller and the router running as Pods of our image under the ServiceAccounts, RBAC, probes and security
// contexts we synthesize (no local controller, no admin credentials in any actor), a team's gVisor template and warm
// pool whose members are real Pods under runsc, and an agent using our SDK through the router with its own token.
import type { Pod } from 'kubernetes-types/core/v1';
import { DEFAULT_SYSTEM_NAMESPACE } from '../../../lib/api';
import { SandboxClient, type SandboxHandle } from '../../../lib/client';
import { CONTROLLER_NAME } from '../../../lib/builders/controller-deployment';
import { DEFAULT_CONTROLLER_IMAGE } from '../../../lib/builders/package-version';
import { LEADER_ELECTION_ID } from '../../../lib/controller-runtime/leader-election';
import { RUNTIME_IMAGE } from '../images/images';
import { getObject, kubectl, KubectlError } from '../harness';
import { sumMetric } from '../harness/prometheus-text';
import { deploySynthesizedPlatform } from './platform';
import { agentClient, deployTeam, podsOf, routerUrl, runtimeOf, serviceUrl, type DeployedTeam } from './deployed-team';

jest.setTimeout(10 * 60_000);

let team: DeployedTeam;
let sdk: SandboxClient;

beforeAll(async () => {
  await deploySynthesizedPlatform();
  team = await deployTeam('deployed', { poolReplicas: 2 });
  sdk = await agentClient(team);
}, 15 * 60_000);
afterAll(async () => {
  sdk?.close();
  await team?.remove();
});

describe('the controller as deployed', () => {
  let pods: Pod[];
  beforeAll(async () => {
    pods = await podsOf(DEFAULT_SYSTEM_NAMESPACE, `app.kubernetes.io/name=${CONTROLLER_NAME}`);
  });

  test('runs as Pods of our image under its ServiceAccount, non-root, read-only root, probes passing', async () => {
    const deployment = await getObject<{ spec: { replicas: number; template: { spec: Pod['spec'] } } }>('deployment', CONTROLLER_NAME, { namespace: DEFAULT_SYSTEM_NAMESPACE });
    expect(pods).toHaveLength(deployment!.spec.replicas);
    for (const pod of pods) {
      const container = pod.spec!.containers[0];
      expect(container.image).toBe(DEFAULT_CONTROLLER_IMAGE);
      expect(pod.spec!.serviceAccountName).toBe(deployment!.spec.template.spec!.serviceAccountName);
      expect(container.readinessProbe?.httpGet).toBeDefined();
      expect(container.livenessProbe?.httpGet).toBeDefined();
      // Probes pass (Ready) and have never restarted it.
      expect(pod.status!.conditions!.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(pod.status!.containerStatuses![0].restartCount).toBe(0);
      const name = pod.metadata!.name!;
      expect(await kubectl(['exec', '-n', DEFAULT_SYSTEM_NAMESPACE, name, '--', 'id', '-u'])).toBe('65532\n');
      const write = await kubectl(['exec', '-n', DEFAULT_SYSTEM_NAMESPACE, name, '--', 'touch', '/app/written']).catch((e: KubectlError) => e);
      expect(write).toBeInstanceOf(KubectlError);
      expect((write as KubectlError).message).toMatch(/Read-only file system/);
      // Its identity is the token the kubelet projected, not a kubeconfig.
      const mounted = await kubectl(['exec', '-n', DEFAULT_SYSTEM_NAMESPACE, name, '--', 'ls', '/var/run/secrets/kubernetes.io/serviceaccount']);
      expect(mounted.split('\n')).toEqual(expect.arrayContaining(['ca.crt', 'namespace', 'token']));
    }
  });

  test('the Lease names one of its Pods as leader', async () => {
    const lease = await getObject<{ spec: { holderIdentity: string } }>('lease', LEADER_ELECTION_ID, { namespace: DEFAULT_SYSTEM_NAMESPACE });
    const holder = lease!.spec.holderIdentity.split('_')[0];
    expect(pods.map((pod) => pod.metadata!.name)).toContain(holder);
  });

  test('/metrics answers through the synthesized metrics Service', async () => {
    const text = await (await fetch(`${await serviceUrl(DEFAULT_SYSTEM_NAMESPACE, CONTROLLER_NAME)}/metrics`)).text();
    expect(sumMetric(text, 'agent_sandbox_build_info')).toBe(1);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
  });
});

describe('a team template under gVisor with a warm pool', () => {
  test('its members are Pods of our runtime image, Ready under runsc', async () => {
    const members = await podsOf(team.namespace);
    expect(members).toHaveLength(2);
    for (const pod of members) {
      expect(pod.spec!.runtimeClassName).toBe('gvisor');
      expect(pod.spec!.containers[0].image).toBe(RUNTIME_IMAGE);
      expect(pod.status!.conditions!.find((c) => c.type === 'Ready')?.status).toBe('True');
      // containerd runs the container with gVisor's shim, not runc.
      expect(runtimeOf(pod)).toBe('io.containerd.runsc.v1');
    }
  });
});

describe('an agent through the router with the SDK', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await sdk.createSandbox({ namespace: team.namespace, warmPool: team.pool, name: 'agent-job', readyTimeoutMs: 180_000 });
  });

  test('runs python3 and gets 42, inside gVisor', async () => {
    expect(await sandbox.run('python3 -c "print(6*7)"')).toEqual({ stdout: '42\n', stderr: '', exitCode: 0, timedOut: false });
    // gVisor's kernel reports its own release and boot log, never the host's.
    expect((await sandbox.run('uname -r')).stdout).toMatch(/gvisor\n$/);
    expect((await sandbox.run('dmesg')).stdout).toMatch(/Starting gVisor/);
  });

  test('uploads and downloads files', async () => {
    await sandbox.files.write('inputs/data.csv', 'a,b\n1,2\n');
    expect((await sandbox.run('wc -l inputs/data.csv')).stdout).toBe('2 inputs/data.csv\n');
    await sandbox.run(['sh', '-c', 'echo generated > report.txt']);
    expect((await sandbox.files.read('report.txt')).toString()).toBe('generated\n');
  });

  test('streams output before the command ends', async () => {
    const seen: Array<{ at: number; type: string; data?: string }> = [];
    const script = 'import time; print("first", flush=True); time.sleep(2); print("last")';
    for await (const event of sandbox.runStream(['python3', '-c', script])) seen.push({ at: Date.now(), ...event });
    const first = seen.find((e) => e.type === 'stdout')!;
    const exit = seen.find((e) => e.type === 'exit')!;
    expect(first.data).toBe('first\n');
    expect(exit.at - first.at).toBeGreaterThanOrEqual(1500);
  });

  test('the router answers only with a token RBAC admits', async () => {
    const anonymous = await fetch(`${await routerUrl()}/`, { headers: { 'X-Sandbox-ID': sandbox.address.sandbox, 'X-Sandbox-Namespace': team.namespace } });
    expect(anonymous.status).toBe(401);
  });
});
