// SDK data path over real sockets: SandboxHandle -> router (scoped token) -> runtime, for run, runStream,
// files and typed errors; re-resolving a refused endpoint; plus the claim manifest the SDK creates.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { claimManifest, mintScopedToken, SandboxConnectionError, SandboxHandle, SandboxRequestError, type StreamEvent } from '../../../lib/client';
import { resolveEndpoint } from '../../../lib/client/connection';
import type { KubeClient } from '../../../lib/kube';
import { DEFAULT_ROUTER_CONFIG, RouterServer, ScopedTokenAuthorizer, StaticResolver, type RouterConfig } from '../../../lib/router';
import { createRuntimeServer, DEFAULT_RUNTIME_CONFIG, type RuntimeServer } from '../../../lib/sandbox-runtime';

const SECRET = Buffer.from('sdk-test-secret-sdk-test-secret-sdk-test');
let runtime: RuntimeServer;
let router: RouterServer;
let routerUrl: string;
let runtimePort: number;
let baseDir: string;
// Router-mode endpoints never touch the API; the handle only needs the client for suspend/terminate.
const noKube = {} as KubeClient;

beforeAll(async () => {
  baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-test-'));
  runtime = createRuntimeServer({ ...DEFAULT_RUNTIME_CONFIG, host: '127.0.0.1', port: 0, baseDir });
  runtimePort = await runtime.listen();
  router = startRouter();
  routerUrl = `http://127.0.0.1:${await router.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await router.close();
  await runtime.close();
  fs.rmSync(baseDir, { recursive: true, force: true });
});

function startRouter(config: Partial<RouterConfig> = {}): RouterServer {
  return new RouterServer({
    config: { ...DEFAULT_ROUTER_CONFIG, allowLoopbackPodIP: true, accessLog: false, ...config },
    resolver: new StaticResolver([{ namespace: 'ns1', name: 'pool-abcde', uid: 'u1', podIPs: ['127.0.0.1'] }]),
    authorizer: new ScopedTokenAuthorizer(SECRET),
  });
}

async function handleFor(sandbox: string, url = routerUrl): Promise<SandboxHandle> {
  const address = { namespace: 'ns1', sandbox };
  const endpoint = await resolveEndpoint(
    { mode: 'router', url, port: runtimePort, token: (a) => mintScopedToken(SECRET, { namespace: a.namespace, name: a.sandbox, ttlSeconds: 60 }) },
    address, noKube,
  );
  return new SandboxHandle(noKube, address, 'my-claim', endpoint);
}

test('run, runStream and files through the router with a scoped token', async () => {
  const sandbox = await handleFor('pool-abcde');
  expect(await sandbox.run('echo hello')).toEqual({ stdout: 'hello\n', stderr: '', exitCode: 0, timedOut: false });
  const events = [];
  for await (const event of sandbox.runStream(['sh', '-c', 'echo a; echo b >&2; exit 2'])) events.push(event);
  expect(events.map((e) => e.type)).toEqual(['start', 'stdout', 'stderr', 'exit']);
  expect(events.at(-1)).toMatchObject({ exit_code: 2 });
  await sandbox.files.write('out/result.txt', 'data ✓');
  expect((await sandbox.files.read('out/result.txt')).toString()).toBe('data ✓');
  expect(await sandbox.files.exists('out/result.txt')).toBe(true);
  expect((await sandbox.files.list('out')).map((e) => e.name)).toEqual(['result.txt']);
});

test('errors are typed and name the sandbox and operation', async () => {
  const sandbox = await handleFor('pool-abcde');
  await expect(sandbox.files.read('missing.txt')).rejects.toThrow(new SandboxRequestError('ns1', 'pool-abcde', 404, 'File not found', 'files.read'));
  const unknown = await handleFor('other');
  await expect(unknown.run('true')).rejects.toThrow('run on sandbox ns1/other failed with HTTP 404: Sandbox ns1/other not found or not ready.');
});

test('claim manifest: ts-client label, request timestamp, TTL as shutdownTime + Delete', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');
  const claim = claimManifest({ namespace: 'ns1', warmPool: 'python', name: 'c1', shutdownAfterSeconds: 600 }, now);
  expect(claim.metadata).toMatchObject({
    name: 'c1', namespace: 'ns1', labels: { 'agents.x-k8s.io/created-by': 'ts-client' },
    annotations: { 'agents.x-k8s.io/client-first-requested-at': '2026-01-01T00:00:00.000Z' },
  });
  expect(claim.spec).toEqual({ warmPoolRef: { name: 'python' }, lifecycle: { shutdownTime: '2026-01-01T00:10:00Z', shutdownPolicy: 'Delete' } });
  expect(claimManifest({ namespace: 'ns1', warmPool: 'p' }).metadata.name).toMatch(/^sandbox-claim-[0-9a-f]{8}$/);
});

test('a refused endpoint is resolved again once; still refused -> SandboxConnectionError naming the address', async () => {
  const address = { namespace: 'ns1', sandbox: 'pool-abcde' };
  const moved = { baseUrl: `http://127.0.0.2:${runtimePort}`, headers: {} }; // nothing listens on 127.0.0.2
  let resolved = 0;
  const handle = new SandboxHandle(noKube, address, 'my-claim', moved, async () => {
    resolved++;
    return { baseUrl: `http://127.0.0.1:${runtimePort}`, headers: {} };
  });
  expect((await handle.run('echo moved')).stdout).toBe('moved\n');
  expect((await handle.run('echo again')).stdout).toBe('again\n');
  expect(resolved).toBe(1);
  const stuck = new SandboxHandle(noKube, address, 'my-claim', moved);
  await expect(stuck.run('true')).rejects.toThrow(new SandboxConnectionError('ns1', 'pool-abcde', 'run', `${moved.baseUrl}: ECONNREFUSED`));
});

test('a stream cut before the exit event is an error, not a finished command', async () => {
  const cut = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end('{"type":"stdout","data":"partial"}\n');
  });
  await new Promise<void>((r) => cut.listen(0, '127.0.0.1', r));
  try {
    const { port } = cut.address() as { port: number };
    const handle = new SandboxHandle(noKube, { namespace: 'ns1', sandbox: 'sb' }, 'my-claim', { baseUrl: `http://127.0.0.1:${port}`, headers: {} });
    const seen: StreamEvent[] = [];
    const consume = async () => {
      for await (const event of handle.runStream('sleep 9')) seen.push(event);
    };
    await expect(consume()).rejects.toThrow(new SandboxConnectionError('ns1', 'sb', 'runStream', 'the stream ended before the command exited'));
    expect(seen).toEqual([{ type: 'stdout', data: 'partial' }]);
  } finally {
    await new Promise((r) => cut.close(r));
  }
});

test('streamed exec through the router: outlives the total timeout while output flows; silent, it is cut and killed', async () => {
  const impatient = startRouter({ proxyTimeoutSeconds: 0.5, streamIdleTimeoutSeconds: 1 });
  try {
    const sandbox = await handleFor('pool-abcde', `http://127.0.0.1:${await impatient.listen(0, '127.0.0.1')}`);
    const ticks: StreamEvent[] = [];
    for await (const event of sandbox.runStream(['sh', '-c', 'for i in 1 2 3 4; do echo $i; sleep 0.4; done'])) ticks.push(event);
    expect(ticks.at(-1)).toMatchObject({ type: 'exit', exit_code: 0 }); // 1.6 s > the 0.5 s total timeout

    const silent = async () => {
      for await (const event of sandbox.runStream(['sh', '-c', 'sleep 2; echo finished > silent-marker'])) void event;
    };
    await expect(silent()).rejects.toThrow(SandboxConnectionError);
    await new Promise((r) => setTimeout(r, 2500));
    expect(fs.existsSync(path.join(baseDir, 'silent-marker'))).toBe(false); // the runtime killed the command
  } finally {
    await impatient.close();
  }
}, 15_000);
