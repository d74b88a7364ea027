// Upstream's Python SDK (k8s-agent-sandbox[grpc], pinned, from PyPI) in its sandboxd connection mode: commands over
// sandboxd's gRPC ProcessService and files over its REST /v1/files API, straight to the sandbox pod's address
// (SandboxdInClusterConnectionConfig, in-cluster-pod-ip: the mode a kwok plane can reach), against our controller
// and our runtime. Run, write, read, list, exists, delete, and the errors the SDK reports.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Sandbox } from '../../../lib/api';
import { KubeClient, Resources } from '../../../lib/kube';
import { adminClient } from '../claims/fixtures';
import { adminKubeconfig, useTestNamespace, waitFor, type ControllerProcess } from '../harness';
import { servePod, startControllerWithPool, type ServedPod } from '../data-path/fixtures';
import { PYTHON_SDK, pythonWithSdk } from './python-sdk';

const ns = useTestNamespace('python-sandboxd');
let admin: KubeClient;
let controller: ControllerProcess;
let python: string;
let pod: ServedPod;

beforeAll(async () => {
  python = await pythonWithSdk();
  admin = await adminClient();
  controller = await startControllerWithPool(ns.name, 'sandboxd', 1);
  const [member] = (await admin.list<Sandbox>(Resources.sandboxes, { namespace: ns.name })).items;
  pod = await servePod(member!.status!.podIPs![0]!);
}, 600_000);
afterAll(async () => {
  await pod?.stop();
  await controller?.stop();
  admin?.close();
});

test(`${PYTHON_SDK.name} ${PYTHON_SDK.version}: the sandboxd connection mode runs commands and manages files on our runtime`, async () => {
  const { stdout, stderr } = await promisify(execFile)(python, [join(__dirname, 'sandboxd.py')], {
    env: { ...process.env, NAMESPACE: ns.name, WARM_POOL: 'sandboxd', KUBECONFIG: adminKubeconfig() }, timeout: 240_000,
  });
  expect(stderr.includes('Traceback') ? stderr : '').toBe('');
  const steps: Record<string, any> = Object.fromEntries(stdout.trim().split('\n').map((line) => JSON.parse(line)).map((event) => [event.step, event]));

  expect(steps.claimed.sandbox).toMatch(/^sandboxd-/); // adopted from the warm pool
  expect(steps.run).toMatchObject({ stdout: `Hello from sandboxd\n${pod.baseDir}\n`, exit_code: 3, timed_out: false });
  expect(steps['run-timeout']).toMatchObject({ exit_code: 124, timed_out: true });
  expect(steps.read).toMatchObject({ content: 'print("Hello from a file")\n', binary: true });
  expect(steps.list.entries).toEqual([['data.bin', 'file', 256, '0644'], ['hello.py', 'file', 27, '0644']]);
  expect(steps.exists).toMatchObject({ present: true, absent: false });
  expect(steps['run-file']).toMatchObject({ stdout: 'Hello from a file\n', exit_code: 0 });
  expect(steps['deleted-file'].exists).toBe(false);
  expect(steps['delete-non-empty'].status).toBe(409);
  expect(steps['deleted-tree'].exists).toBe(false);
  expect(steps.errors).toMatchObject({ missing: 404, escape: 403 });
  expect(steps['cwd-escape'].error).toMatch(/^sandboxd process service failed \(StatusCode.PERMISSION_DENIED\): cwd: /);
  expect(steps.terminated).toBeDefined();
  await waitFor('claim deleted by terminate()', async () => (await admin.getOrUndefined(Resources.sandboxClaims, ns.name, steps.claimed.claim)) === undefined);
}, 300_000);
