// The CLI as a user runs it (a real process): what it says without a kubeconfig, against a refused port, against a
// server that accepts TCP and never answers (--timeout bounds the whole command), and which namespace it uses.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../../support/temp-dir';

jest.setTimeout(60_000);

const CLI = join(__dirname, '..', '..', '..', 'lib', 'client', 'cli.ts');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  /** When the process ended (ms since the epoch). */
  endedAt: number;
}

/** Runs the CLI with a clean environment: HOME without ~/.kube, no KUBECONFIG, not in a pod. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  const home = tempDir('ask-home-');
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { PATH: process.env.PATH, HOME: home, ...env }, timeout: 50_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, endedAt: Date.now() });
    });
  });
}

function kubeconfig(server: string, contexts: Record<string, string | undefined> = { main: undefined }, current = 'main'): string {
  const file = join(tempDir('ask-kc-'), 'config');
  const ctx = Object.entries(contexts).map(([name, ns]) => `- name: ${name}\n  context: { cluster: c, user: u${ns ? `, namespace: ${ns}` : ''} }`).join('\n');
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: "${server}", insecure-skip-tls-verify: true }
users:
- name: u
  user: { token: t }
contexts:
${ctx}
current-context: ${current}
`);
  return file;
}

const listen = <T extends Server | HttpServer>(server: T): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

test('--version, and per-command --help exit 0 without touching a cluster', async () => {
  const version = await cli(['--version']);
  expect(version).toMatchObject({ code: 0, stdout: `${require('../../../package.json').version}\n` });
  const help = await cli(['claim', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('usage: agent-sandbox claim --pool POOL');
  expect(help.stdout).toContain('-n, --namespace NS');
});

test('a usage error names the flag and points at the command help, exit 2', async () => {
  const result = await cli(['claim', '--pool', 'p', '--bogus']);
  expect(result).toMatchObject({ code: 2, stdout: '' });
  expect(result.stderr).toBe('agent-sandbox: claim: unknown flag --bogus\nSee "agent-sandbox claim --help" for usage.\n');
});

test('no kubeconfig anywhere: one line saying what was checked', async () => {
  const result = await cli(['list']);
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^agent-sandbox: no kubeconfig found: \$KUBECONFIG is not set, \/.+\/\.kube\/config does not exist, and this is not a pod with a ServiceAccount token \(in-cluster\); pass --kubeconfig FILE or set KUBECONFIG\n$/);
});

test('KUBECONFIG naming a missing file, --kubeconfig naming one, and an unknown context: one line each', async () => {
  expect((await cli(['list'], { KUBECONFIG: '/nonexistent' })).stderr)
    .toBe('agent-sandbox: no kubeconfig found: $KUBECONFIG names /nonexistent, which does not exist; fix KUBECONFIG or pass --kubeconfig\n');
  expect((await cli(['list', '--kubeconfig', '/nonexistent'])).stderr).toBe('agent-sandbox: kubeconfig /nonexistent does not exist\n');
  const file = kubeconfig('https://127.0.0.1:1');
  expect((await cli(['list', '--kubeconfig', file, '--context', 'prod'])).stderr)
    .toBe(`agent-sandbox: context "prod" is not in kubeconfig ${file} (it has main)\n`);
});

test('a refused connection names the server and context', async () => {
  const closed = createServer();
  const port = await listen(closed);
  await new Promise((r) => closed.close(r));
  const result = await cli(['terminate', '--claim', 'c1', '-n', 'ml'], { KUBECONFIG: kubeconfig(`https://127.0.0.1:${port}`) });
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(`agent-sandbox: cannot reach the API server https://127.0.0.1:${port} (context main) while deleting SandboxClaim ml/c1: connect ECONNREFUSED 127.0.0.1:${port}\n`);
});

describe('a server that accepts TCP and never answers', () => {
  let server: Server;
  let port: number;
  const sockets: Socket[] = [];
  const connectedAt: number[] = [];
  beforeAll(async () => {
    server = createServer((socket) => { // reads nothing, writes nothing
      sockets.push(socket);
      connectedAt.push(Date.now());
    });
    port = await listen(server);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => server.close(r));
  });

  test.each([
    [['claim', '--pool', 'python', '-n', 'ml', '--timeout', '2'], 'creating a SandboxClaim in ml from warm pool python'],
    [['list', '-n', 'ml', '--timeout', '2'], 'listing SandboxClaims in ml'],
    [['exec', '--claim', 'c1', '-n', 'ml', '--timeout', '2', '--', 'true'], 'reading SandboxClaim ml/c1'],
  ])('%j ends at its --timeout with exit 1 and one line naming the server and the step', async (args, step) => {
    connectedAt.splice(0);
    const result = await cli(args, { KUBECONFIG: kubeconfig(`https://127.0.0.1:${port}`) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`agent-sandbox: timed out after 2s while ${step}: no answer from the API server https://127.0.0.1:${port} (context main)\n`);
    // Measured from the connection (the process's start-up under tsx is slow and noisy on a loaded machine): the
    // 2 s deadline ends it, not the 30 s per-request bound. The deadline starts just before connecting.
    expect(connectedAt).toHaveLength(1);
    expect(result.endedAt - connectedAt[0]!).toBeLessThan(2000 + 1500);
  });
});

describe('namespace: -n, else the context\'s, else "default"', () => {
  let server: HttpServer;
  const paths: string[] = [];
  let server_url: string;
  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      paths.push(req.url!.split('?')[0]!);
      res.setHeader('content-type', 'application/json');
      const created = new Date(Date.now() - 300_000).toISOString();
      res.end(JSON.stringify({
        kind: 'SandboxClaimList', apiVersion: 'extensions.agents.x-k8s.io/v1beta1', metadata: {},
        items: [{
          metadata: { name: 'job-42', namespace: 'ml', creationTimestamp: created }, spec: { warmPoolRef: { name: 'python' } },
          status: { sandbox: { name: 'python-abcde' }, conditions: [{ type: 'Ready', status: 'True', reason: 'SandboxReady' }] },
        }],
      }));
    });
    server_url = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => paths.splice(0));

  test('the current context\'s namespace, another context\'s with --context, -n over both, and "default"', async () => {
    const file = kubeconfig(server_url, { main: 'ml', other: 'research', bare: undefined });
    const listed = await cli(['list', '--kubeconfig', file]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe('NAME     POOL     SANDBOX        READY   REASON         AGE\njob-42   python   python-abcde   True    SandboxReady   5m\n');
    await cli(['list', '--kubeconfig', file, '--context', 'other']);
    await cli(['list', '--kubeconfig', file, '--context', 'other', '-n', 'explicit']);
    await cli(['list', '--kubeconfig', file, '--context', 'bare']);
    const all = await cli(['list', '-A', '--kubeconfig', file]);
    expect(all.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME/);
    const base = '/apis/extensions.agents.x-k8s.io/v1beta1';
    expect(paths).toEqual([
      `${base}/namespaces/ml/sandboxclaims`, `${base}/namespaces/research/sandboxclaims`, `${base}/namespaces/explicit/sandboxclaims`,
      `${base}/namespaces/default/sandboxclaims`, `${base}/sandboxclaims`,
    ]);
  }, 150_000); // five CLI processes, each up to ~20 s to start (tsx) on a loaded 2-core machine
});
