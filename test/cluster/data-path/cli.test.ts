// The agent-sandbox CLI as a child process against the real control plane, controller, router (tokenreview)
// and runtime processes: exit codes, stdout/stderr and error messages of claim, exec, cp and terminate.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SandboxClaim } from '../../../lib/api';
import { KubeClient, Resources } from '../../../lib/kube';
import { TokenReviewAuthorizer } from '../../../lib/router';
import { adminKubeconfig, kubectl, useTestNamespace, waitFor, type ControllerProcess } from '../harness';
import { adminClient } from '../claims/fixtures';
import { grantSandboxAccess, installRouterIdentity, serveSandbox, startControllerWithPool, startRouter, type RunningRouter, type ServedPod } from './fixtures';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const ns = useTestNamespace('cli');
let admin: KubeClient;
let controller: ControllerProcess;
let router: RunningRouter;
let token: string;
let sandboxName: string;
let pod: ServedPod;
let workDir: string;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cliEnv = (env: Record<string, string | undefined> = {}) => ({
  ...process.env, KUBECONFIG: adminKubeconfig(), AGENT_SANDBOX_ROUTER_URL: router.url, AGENT_SANDBOX_TOKEN: token, ...env,
});

/** Runs `agent-sandbox ARGS` (as `npm run agent-sandbox` does) with the router, token and kubeconfig in its environment. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'lib/client/cli.ts', ...args], { cwd: repoRoot, env: cliEnv(env) }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

const inNamespace = (command: string, ...args: string[]): string[] => [command, '--namespace', ns.name, ...args];

beforeAll(async () => {
  admin = await adminClient();
  controller = await startControllerWithPool(ns.name, 'python', 1);
  router = await startRouter(await installRouterIdentity(), (kube) => new TokenReviewAuthorizer(kube), { proxyTimeoutSeconds: 30 });
  await grantSandboxAccess(ns.name, { name: 'cli', serviceAccounts: ['default'] });
  token = (await kubectl(['create', 'token', 'default', '--namespace', ns.name])).trim();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
});
afterAll(async () => {
  await pod?.stop();
  await router?.stop();
  await controller?.stop();
  admin?.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

test('claim prints the claim name once the sandbox is Ready', async () => {
  expect(await cli(inNamespace('claim', '--pool', 'python', '--name', 'cli-a', '--ttl', '3600'))).toEqual({ code: 0, stdout: 'cli-a\n', stderr: '' });
  const claim = await admin.get<SandboxClaim>(Resources.sandboxClaims, ns.name, 'cli-a');
  expect(claim.spec.lifecycle?.shutdownPolicy).toBe('Delete');
  sandboxName = claim.status!.sandbox!.name!;
  pod = await serveSandbox(admin, ns.name, sandboxName);
  await waitFor(`router cache has ${sandboxName}`, async () => router.cache.lookup(ns.name, sandboxName) !== undefined);
});

test('claim from a missing pool fails with the claim reason', async () => {
  const result = await cli(inNamespace('claim', '--pool', 'no-such-pool', '--name', 'cli-doomed'));
  expect(result).toEqual({ code: 1, stdout: '', stderr: `agent-sandbox: SandboxClaim ${ns.name}/cli-doomed failed: WarmPoolNotFound: SandboxWarmPool "no-such-pool" not found\n` });
});

test('exec streams stdout and stderr and passes the exit code through', async () => {
  const result = await cli(inNamespace('exec', '--claim', 'cli-a', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'));
  expect(result).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  expect(await cli(inNamespace('exec', '--claim', 'cli-a', '--', 'sh', '-c', 'kill -9 $$'))).toMatchObject({ code: 128 + 9 });
  const missing = await cli(inNamespace('exec', '--claim', 'cli-a', '--', 'no-such-program'));
  expect(missing).toEqual({ code: 1, stdout: '', stderr: 'agent-sandbox: spawn no-such-program ENOENT\n' });
});

test('exec into a reader that goes away (| head) ends quietly with 141', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/client/cli.ts', ...inNamespace('exec', '--claim', 'cli-a', '--', 'yes')], { cwd: repoRoot, env: cliEnv() });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect([code, stderr]).toEqual([141, '']);
});

test('exec without the router goes directly to the pod IP', async () => {
  const result = await cli(inNamespace('exec', '--claim', 'cli-a', '--', 'pwd'), { AGENT_SANDBOX_ROUTER_URL: undefined });
  expect(result).toEqual({ code: 0, stdout: `${fs.realpathSync(pod.baseDir)}\n`, stderr: '' });
});

test('cp uploads and downloads files; a missing remote file names the sandbox', async () => {
  const local = path.join(workDir, 'data.csv');
  fs.writeFileSync(local, 'a,b\n1,2\n');
  expect(await cli(inNamespace('cp', local, 'cli-a:inputs/'))).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(fs.readFileSync(path.join(pod.baseDir, 'inputs', 'data.csv'), 'utf8')).toBe('a,b\n1,2\n');

  fs.writeFileSync(path.join(pod.baseDir, 'report.txt'), 'generated\n');
  const downloads = fs.mkdtempSync(path.join(workDir, 'out-'));
  expect(await cli(inNamespace('cp', 'cli-a:report.txt', downloads))).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(fs.readFileSync(path.join(downloads, 'report.txt'), 'utf8')).toBe('generated\n');

  const missing = await cli(inNamespace('cp', 'cli-a:nope.txt', downloads));
  expect(missing).toEqual({ code: 1, stdout: '', stderr: `agent-sandbox: files.read on sandbox ${ns.name}/${sandboxName} failed with HTTP 404: File not found\n` });
});

test('a wrong token is refused by the router with its reason', async () => {
  const result = await cli(inNamespace('exec', '--claim', 'cli-a', '--', 'true'), { AGENT_SANDBOX_TOKEN: 'not-a-token' });
  expect(result).toEqual({ code: 1, stdout: '', stderr: `agent-sandbox: runStream on sandbox ${ns.name}/${sandboxName} failed with HTTP 401: Bearer token refused: not a JWT.\n` });
});

test('terminate deletes the claim; the CLI then reports it as not found', async () => {
  expect(await cli(inNamespace('terminate', '--claim', 'cli-a'))).toEqual({ code: 0, stdout: '', stderr: '' });
  await waitFor('claim cli-a deleted', async () => (await admin.getOrUndefined(Resources.sandboxClaims, ns.name, 'cli-a')) === undefined, { timeoutMs: 60_000 });
  expect(await cli(inNamespace('exec', '--claim', 'cli-a', '--', 'true'))).toEqual({ code: 1, stdout: '', stderr: `agent-sandbox: SandboxClaim ${ns.name}/cli-a not found\n` });
  expect(await cli(inNamespace('terminate', '--claim', 'cli-a'))).toMatchObject({ code: 0 }); // idempotent
});

test('bad invocations get a usage error and exit code 2', async () => {
  const noCommand = await cli(['exec', '--claim', 'cli-a']);
  expect(noCommand.code).toBe(2);
  expect(noCommand.stdout).toBe('');
  expect(noCommand.stderr).toBe('agent-sandbox: exec needs the command after "--", e.g. exec --claim NAME -- ls -l\nSee "agent-sandbox exec --help" for usage.\n');
  expect(await cli(['claim', '--pool', 'python', '--ttl', 'soon'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^agent-sandbox: --ttl must be a positive number of seconds, got "soon"\n/) });
  expect(await cli(['frobnicate'])).toMatchObject({ code: 2, stderr: 'agent-sandbox: unknown command "frobnicate" (commands: claim, run, list, exec, cp, terminate)\nSee "agent-sandbox --help" for usage.\n' });
  expect(await cli(['--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: agent-sandbox/), stderr: '' });
});
