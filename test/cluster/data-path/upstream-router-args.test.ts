// Our router process started with exactly the args of upstream's router Deployment (as its container would be, with
// KUBECONFIG in place of in-cluster credentials): it starts, serves probes and metrics on upstream's ports, and
// answers a tokenless request with the 401 that names the ways in. It runs in a network namespace of its own, so
// upstream's fixed ports (8080, 8081, 9090) cannot collide with anything else on the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { TOKEN_REQUIRED_DETAIL } from '../../../lib/router/auth/tokenreview';
import { UPSTREAM_DEPLOYMENT_ARGS } from '../../support/upstream-router';
import { adminKubeconfig, waitFor } from '../harness';

const repoRoot = resolve(__dirname, '..', '..', '..');
let router: ChildProcess;
let stderr = '';

/** GET `url` from inside the router's network namespace; resolves with status and body. */
function fetchInNamespace(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const script = `fetch(${JSON.stringify(url)}, { headers: ${JSON.stringify(headers)} }).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })), () => console.log('null'))`;
  return new Promise((done, fail) => {
    const probe = spawn('nsenter', [`--net=/proc/${router.pid}/ns/net`, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    probe.stdout.on('data', (chunk) => (out += chunk));
    probe.once('exit', (code) => (code === 0 ? done(JSON.parse(out)) : fail(new Error(`nsenter exited ${code}`))));
  });
}

beforeAll(async () => {
  router = spawn('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, '--import', 'tsx', 'lib/router/main.ts', ...UPSTREAM_DEPLOYMENT_ARGS], {
    cwd: repoRoot, env: { ...process.env, KUBECONFIG: adminKubeconfig() }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  router.stderr!.on('data', (chunk) => (stderr += chunk));
  await waitFor('router listening', async () => stderr.includes('sandbox router listening') || (router.exitCode !== null && Promise.reject(new Error(`router exited: ${stderr}`))), { timeoutMs: 60_000, intervalMs: 200 });
});
afterAll(() => {
  router?.kill('SIGTERM');
});

test("upstream's Deployment args start our router on upstream's ports", async () => {
  expect(stderr).not.toContain('unknown flag');
  expect(await fetchInNamespace('http://127.0.0.1:8081/healthz')).toMatchObject({ status: 200 });
  expect((await fetchInNamespace('http://127.0.0.1:9090/metrics')).body).toContain('sandbox_router_build_info');
});

test('a tokenless request gets 401 naming the ways to authenticate (ours requires a token by default)', async () => {
  const res = await fetchInNamespace('http://127.0.0.1:8080/', { 'x-sandbox-id': 'any', 'x-sandbox-namespace': 'default' });
  expect([res.status, JSON.parse(res.body)]).toEqual([401, { detail: TOKEN_REQUIRED_DETAIL }]);
});
