// End to end on the real control plane without the router: SDK in "direct" mode -> SandboxClaim -> warm sandbox
// Ready (controller process) -> runtime process on the pod IP the SDK read from the Sandbox status.
import type { Sandbox } from '../../../lib/api';
import { SandboxClient, SandboxConnectionError, SandboxRequestError, type SandboxHandle } from '../../../lib/client';
import { KubeClient, Resources } from '../../../lib/kube';
import { useTestNamespace, waitFor, type ControllerProcess } from '../harness';
import { adminClient } from '../claims/fixtures';
import { RUNTIME_PORT, servePod, serveSandbox, startControllerWithPool, type ServedPod } from './fixtures';

const ns = useTestNamespace('direct');
let admin: KubeClient;
let controller: ControllerProcess;
let sdk: SandboxClient;
let sandbox: SandboxHandle;
let pod: ServedPod;

beforeAll(async () => {
  admin = await adminClient();
  controller = await startControllerWithPool(ns.name, 'python', 1);
  sdk = new SandboxClient({ kube: await adminClient(), connection: { mode: 'direct', port: RUNTIME_PORT } });
  sandbox = await sdk.createSandbox({ namespace: ns.name, warmPool: 'python', name: 'direct-a', shutdownAfterSeconds: 3600, readyTimeoutMs: 120_000 });
  pod = await serveSandbox(admin, ns.name, sandbox.address.sandbox);
});
afterAll(async () => {
  sdk?.close();
  await pod?.stop();
  await controller?.stop();
  admin?.close();
});

const podIP = async (): Promise<string | undefined> => (await admin.get<Sandbox>(Resources.sandboxes, ns.name, sandbox.address.sandbox)).status?.podIPs?.[0];

test('run, runStream and files go straight to the pod IP from the Sandbox status', async () => {
  expect(await sandbox.run(['sh', '-c', 'echo out; echo err >&2; exit 4'])).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 4, timedOut: false });
  const events = [];
  for await (const event of sandbox.runStream(['sh', '-c', 'echo a; sleep 0.2; echo b'])) events.push(event);
  expect(events.filter((e) => e.type === 'stdout').map((e) => e.type === 'stdout' && e.data)).toEqual(['a\n', 'b\n']);
  expect(events.at(-1)).toMatchObject({ type: 'exit', exit_code: 0 });

  await sandbox.files.write('in/data.csv', 'a,b\n1,2\n');
  expect((await sandbox.run('cat in/data.csv')).stdout).toBe('a,b\n1,2\n');
  expect((await sandbox.files.list('in')).map((e) => [e.name, e.size])).toEqual([['data.csv', 8]]);
  expect(await sandbox.files.exists('in/data.csv')).toBe(true);
  await expect(sandbox.files.read('in/missing.csv')).rejects.toThrow(new SandboxRequestError(ns.name, sandbox.address.sandbox, 404, 'File not found', 'files.read'));
});

test('after suspend and resume the handle follows the sandbox to its new pod', async () => {
  await sandbox.suspend();
  await waitFor('sandbox pod gone', async () => (await podIP()) === undefined, { timeoutMs: 60_000 });
  await pod.stop();
  await sandbox.resume();
  const ip = await waitFor('resumed sandbox has a pod IP', podIP, { timeoutMs: 60_000 });
  pod = await servePod(ip);
  // Whether or not kwok hands out the same IP again, the same handle keeps working.
  expect((await sandbox.run('echo back')).stdout).toBe('back\n');
});

test('a sandbox nobody serves is reported with the address that refused', async () => {
  const served = pod;
  await served.stop();
  const error = await sandbox.run('true').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SandboxConnectionError);
  expect((error as Error).message).toBe(`run on sandbox ${ns.name}/${sandbox.address.sandbox} failed: http://${served.ip}:${RUNTIME_PORT}: ECONNREFUSED`);
  pod = await servePod(served.ip);
});
