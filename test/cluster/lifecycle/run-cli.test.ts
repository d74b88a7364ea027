// Issue 19: `agent-sandbox run` and SDK runActions against the real plane, controller and runtime processes: a warm
// claim runs the command as its startup action; the CLI streams its output live while it runs, prints the outcome,
// exits with its exit code, and leaves the sandbox suspended; the SDK returns the typed result. The runtimes run with a
// 1 s interactive exec cap and a 5 s action maximum: an action's declared timeout is honoured past the first, refused
// past the second.
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Sandbox, SandboxClaim } from '../../../lib/api';
import { SandboxClient } from '../../../lib/client';
import { KubeClient, Resources } from '../../../lib/kube';
import { adminKubeconfig, useTestNamespace, waitFor, type ControllerProcess } from '../harness';
import { adminClient } from '../claims/fixtures';
import { servePod, startControllerWithPool, type ServedPod } from '../data-path/fixtures';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const ns = useTestNamespace('run');
let admin: KubeClient;
let controller: ControllerProcess;
const pods: ServedPod[] = [];

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'lib/client/cli.ts', ...args], { cwd: repoRoot, env: { ...process.env, KUBECONFIG: adminKubeconfig() } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  admin = await adminClient();
  controller = await startControllerWithPool(ns.name, 'job', 7);
  // Every warm member's pod is served by the runtime (one member per test), so whichever one a claim takes runs its task at once.
  for (const member of (await admin.list<Sandbox>(Resources.sandboxes, { namespace: ns.name })).items) {
    pods.push(await servePod(member.status!.podIPs![0]!, undefined, { SANDBOX_EXEC_TIMEOUT_SECONDS: '1', SANDBOX_ACTION_TIMEOUT_MAX_SECONDS: '5' }));
  }
}, 120_000);
afterAll(async () => {
  for (const pod of pods) await pod.stop();
  await controller?.stop();
  admin?.close();
});

const sandboxOf = async (claim: string) => admin.get<Sandbox>(Resources.sandboxes, ns.name, (await admin.get<SandboxClaim>(Resources.sandboxClaims, ns.name, claim)).status!.sandbox!.name!);

test('run prints the output and outcome, exits 0, and leaves the sandbox suspended', async () => {
  const { code, stdout, stderr } = await cli(['run', '-n', ns.name, '--pool', 'job', '--name', 'ok', '--', 'sh', '-c', 'echo result: $((6*7))']);
  expect({ code, stdout }).toEqual({ code: 0, stdout: 'result: 42\n' });
  expect(stderr).toMatch(new RegExp(`^agent-sandbox: task Succeeded \\(exit code 0\\) in \\d+\\.\\ds: 1 action\\(s\\) succeeded; claim ${ns.name}/ok, sandbox job-\\w+\\n$`));
  await waitFor('sandbox suspended', async () => (await sandboxOf('ok')).spec.operatingMode === 'Suspended');
});

test('run exits with the command\'s own exit code and says how it failed', async () => {
  const { code, stdout, stderr } = await cli(['run', '-n', ns.name, '--pool', 'job', '--name', 'bad', '--', 'sh', '-c', 'echo partial; exit 7']);
  expect({ code, stdout }).toEqual({ code: 7, stdout: 'partial\n' });
  expect(stderr).toContain('agent-sandbox: task Failed (exit code 7)');
  expect(stderr).toContain('action "task" exited with code 7');
});

test('run streams the output while the task runs, not at its end', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/client/cli.ts', 'run', '-n', ns.name, '--pool', 'job', '--name', 'live', '--task-timeout', '5', '--', 'sh', '-c', 'echo first; sleep 3; echo second'],
    { cwd: repoRoot, env: { ...process.env, KUBECONFIG: adminKubeconfig() } });
  let stdout = '';
  let stateAtFirst: string | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    if (!stdout) void admin.get<SandboxClaim>(Resources.sandboxClaims, ns.name, 'live').then((c) => { stateAtFirst = c.status?.actions?.[0]?.state; });
    stdout += chunk.toString();
  });
  const code = await new Promise((r) => child.once('exit', r));
  expect({ code, stdout }).toEqual({ code: 0, stdout: 'first\nsecond\n' });
  // The first line reached us while the task still ran (and was printed once: not again from the kept tail).
  expect(stateAtFirst).toBe('Running');
}, 60_000);

test("an action's declared timeout is honoured past the runtime's exec cap, and refused past its action maximum", async () => {
  const long = await cli(['run', '-n', ns.name, '--pool', 'job', '--name', 'long', '--task-timeout', '4', '--', 'sh', '-c', 'sleep 2; echo late']);
  expect({ code: long.code, stdout: long.stdout }).toEqual({ code: 0, stdout: 'late\n' });
  const over = await cli(['run', '-n', ns.name, '--pool', 'job', '--name', 'over', '--task-timeout', '6', '--', 'true']);
  expect(over.code).toBe(1);
  expect(over.stderr).toContain('"timeout" 6s exceeds the runtime\'s maximum of 5s (SANDBOX_ACTION_TIMEOUT_MAX_SECONDS)');
}, 60_000);

test('run without a command is a usage error', async () => {
  expect(await cli(['run', '-n', ns.name, '--pool', 'job'])).toMatchObject({ code: 2, stderr: expect.stringContaining('run needs the command after "--"') });
});

test('SDK runActions returns the typed result of every action', async () => {
  const sdk = new SandboxClient({ kube: await adminClient(), connection: { mode: 'direct' } });
  try {
    const result = await sdk.runActions({
      namespace: ns.name, warmPool: 'job', name: 'sdk',
      actions: [{ name: 'one', command: ['sh', '-c', 'echo 1'] }, { name: 'two', command: ['sh', '-c', 'echo 2 >&2; exit 3'] }], keepOnFailure: true,
      timeoutMs: 60_000,
    });
    expect(result).toMatchObject({ namespace: ns.name, claim: 'sdk', succeeded: false, reason: 'ActionFailed', exitCode: 3 });
    expect(result.actions.map((a) => [a.name, a.state, a.exitCode, a.output])).toEqual([['one', 'Succeeded', 0, '1\n'], ['two', 'Failed', 3, '2\n']]);
    // keepOnFailure: still running for debugging
    expect((await sandboxOf('sdk')).spec.operatingMode).toBe('Running');
  } finally {
    sdk.close();
  }
});
