// The router over real sockets: header contract, refusal of unknown/foreign targets, forwarding hygiene,
// streaming, upgrades, scoped tokens, limits and metrics. Targets come from a static resolver.
import * as http from 'node:http';
import * as net from 'node:net';
import { AllowAllAuthorizer, DEFAULT_ROUTER_CONFIG, mintScopedToken, RouterServer, ScopedTokenAuthorizer, StaticResolver, type AccessLogEntry, type Authorizer, type RouterConfig, type SandboxResolver, type SandboxTarget } from '../../../lib/router';

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef-test-secret');
let upstream: http.Server;
let upstreamPort: number;
const seenHeaders: http.IncomingHttpHeaders[] = [];
/** NDJSON responses the router closed before the upstream finished them. */
const cutStreams: string[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    seenHeaders.push(req.headers);
    const ndjson = /^\/ndjson\?lines=(\d+)&gap=(\d+)$/.exec(req.url ?? '');
    if (ndjson) {
      // One line every `gap` ms; a stalled stream (gap longer than the test waits) is closed by the router.
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(JSON.stringify({ line: ++sent }) + '\n');
        if (sent === Number(ndjson[1])) {
          clearInterval(timer);
          res.end();
        }
      }, Number(ndjson[2]));
      res.write(JSON.stringify({ line: 0 }) + '\n');
      res.once('close', () => {
        clearInterval(timer);
        if (!res.writableFinished) cutStreams.push(req.url!);
      });
      return;
    }
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1000);
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first\n');
      setTimeout(() => res.end('second\n'), 600);
      return;
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.writeHead(201, { 'x-upstream': 'yes' });
      res.end(`${req.method} ${req.url} ${body}`);
    });
  });
  upstream.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    seenHeaders.push(req.headers);
    const refuseWith = /^\/ws-refuse-(\d+)$/.exec(req.url ?? '')?.[1];
    if (refuseWith) return void socket.end(`HTTP/1.1 ${refuseWith} Refused\r\ncontent-length: 2\r\nconnection: close\r\n\r\nno`);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (d) => socket.write(`echo:${d}`));
    socket.on('end', () => socket.destroy());
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamPort = (upstream.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

const targets = new StaticResolver([
  { namespace: 'team-a', name: 'sb-a', uid: 'uid-a', podIPs: ['127.0.0.1'] },
  { namespace: 'team-b', name: 'sb-b', uid: 'uid-b', podIPs: ['127.0.0.1'] },
  { namespace: 'team-a', name: 'metadata', uid: 'uid-m', podIPs: ['169.254.169.254'] },
]);

async function withRouter(
  test: (url: string, router: RouterServer) => Promise<void>, overrides: Partial<RouterConfig> = {}, authorizer: Authorizer = new AllowAllAuthorizer(),
  resolver: SandboxResolver = targets, accessLog?: (entry: AccessLogEntry) => void,
): Promise<void> {
  const config = { ...DEFAULT_ROUTER_CONFIG, allowLoopbackPodIP: true, accessLog: false, upstreamMaxRetries: 1, ...overrides };
  const router = new RouterServer({ config, resolver, authorizer, accessLog });
  const port = await router.listen(0, '127.0.0.1');
  try {
    await test(`http://127.0.0.1:${port}`, router);
  } finally {
    await router.close();
  }
}

const sandboxHeaders = (ns: string, id: string, extra: Record<string, string> = {}) => ({
  'x-sandbox-id': id, 'x-sandbox-namespace': ns, 'x-sandbox-port': String(upstreamPort), ...extra,
});

test('invalid routing headers get upstream error messages as {"detail"}', () =>
  withRouter(async (url) => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{}, 400, 'X-Sandbox-ID header is required.'],
      [{ 'x-sandbox-id': 'Bad_ID' }, 400, 'Invalid sandbox ID format.'],
      [{ 'x-sandbox-id': 'ok', 'x-sandbox-namespace': 'a.b' }, 400, 'Invalid namespace format.'],
      [{ 'x-sandbox-id': 'ok', 'x-sandbox-port': '70000' }, 400, 'Invalid port format.'],
      [{ 'x-sandbox-id': 'ok', 'x-sandbox-pod-ip': 'not-an-ip' }, 400, 'Invalid target IP address.'],
      [{ 'x-sandbox-id': 'nope', 'x-sandbox-namespace': 'team-a' }, 404, 'Sandbox team-a/nope not found or not ready.'],
      [sandboxHeaders('team-a', 'sb-a', { 'x-sandbox-uid': 'uid-b' }), 403, 'X-Sandbox-UID does not match the sandbox.'],
      [sandboxHeaders('team-a', 'metadata'), 403, 'Invalid target IP address.'],
    ];
    for (const [headers, status, detail] of cases) {
      const res = await fetch(url + '/x', { headers });
      expect([headers, res.status, await res.json()]).toEqual([headers, status, { detail }]);
    }
    expect(await (await fetch(url + '/healthz')).json()).toEqual({ status: 'ok' });
  }));

test('loopback targets are refused unless --allow-loopback-pod-ip', () =>
  withRouter(async (url) => {
    const res = await fetch(url + '/', { headers: sandboxHeaders('team-a', 'sb-a') });
    expect(res.status).toBe(403);
  }, { allowLoopbackPodIP: false }));

test('forwards method, path, query and body; strips Authorization/Host; replaces X-Forwarded-For', () =>
  withRouter(async (url) => {
    seenHeaders.length = 0;
    const res = await fetch(url + '/echo?q=1', {
      method: 'POST', body: 'payload',
      headers: sandboxHeaders('team-a', 'sb-a', { authorization: 'Bearer secret', 'x-forwarded-for': '6.6.6.6', 'x-custom': 'kept' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-upstream')).toBe('yes');
    expect(await res.text()).toBe('POST /echo?q=1 payload');
    const seen = seenHeaders[0]!;
    expect(seen.authorization).toBeUndefined();
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-host']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(seen['x-custom']).toBe('kept');
    expect(seen.host).toBe(`127.0.0.1:${upstreamPort}`);
  }));

test('streams response bodies without buffering', () =>
  withRouter(async (url) => {
    const started = Date.now();
    const res = await fetch(url + '/stream', { headers: sandboxHeaders('team-a', 'sb-a') });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('first\n');
    expect(Date.now() - started).toBeLessThan(500);
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    expect(rest).toBe('second\n');
  }));

test('passes WebSocket-style upgrades through and drops Origin', () =>
  withRouter(async (url) => {
    seenHeaders.length = 0;
    const { port } = new URL(url);
    const socket = net.connect(Number(port), '127.0.0.1');
    const headers = Object.entries(sandboxHeaders('team-b', 'sb-b', { origin: 'http://evil', upgrade: 'echo', connection: 'Upgrade' }));
    socket.write(`GET /ws HTTP/1.1\r\nHost: r\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    let received = '';
    await new Promise<void>((resolve) => {
      socket.on('data', (d) => {
        received += d.toString();
        if (received.includes('\r\n\r\n') && !received.includes('echo:')) socket.write('ping');
        if (received.includes('echo:ping')) resolve();
      });
    });
    expect(received).toMatch(/^HTTP\/1\.1 101/);
    expect(seenHeaders[0]).toMatchObject({ upgrade: 'echo', 'x-sandbox-id': 'sb-b' });
    expect(seenHeaders[0]!.origin).toBeUndefined();
    socket.destroy();
  }));

/** Sends an upgrade request for `path` to sandbox team-b/sb-b and resolves with the status line the client got. */
async function upgradeStatusLine(url: string, path: string): Promise<string> {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  const headers = Object.entries(sandboxHeaders('team-b', 'sb-b', { upgrade: 'echo', connection: 'Upgrade' }));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: r\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
  let received = '';
  socket.on('data', (d) => (received += d.toString()));
  await new Promise((resolve) => socket.once('close', resolve));
  return received.split('\r\n', 1)[0]!;
}

test('an upgrade the sandbox refuses is never answered 2xx: its own 4xx/5xx, else 502', () =>
  withRouter(async (url) => {
    expect(await upgradeStatusLine(url, '/ws-refuse-200')).toBe('HTTP/1.1 502 Bad Gateway');
    expect(await upgradeStatusLine(url, '/ws-refuse-302')).toBe('HTTP/1.1 502 Bad Gateway');
    expect(await upgradeStatusLine(url, '/ws-refuse-403')).toBe('HTTP/1.1 403 Forbidden');
    expect(await upgradeStatusLine(url, '/ws-refuse-503')).toBe('HTTP/1.1 503 Service Unavailable');
  }));

test('a sandbox with its connections busy and its queue full gets 503 with Retry-After; other sandboxes do not', () =>
  withRouter(async (url, router) => {
    const slow = [1, 2].map(() => fetch(url + '/slow', { headers: sandboxHeaders('team-a', 'sb-a') }));
    while ((await router.metrics.inflight.get()).values[0]?.value !== 2) await new Promise((r) => setTimeout(r, 5));
    const refused = await fetch(url + '/slow', { headers: sandboxHeaders('team-a', 'sb-a') });
    expect([refused.status, refused.headers.get('retry-after'), await refused.json()]).toEqual([503, '1', { detail: 'Too many requests queued for sandbox team-a/sb-a; retry later.' }]);
    expect((await fetch(url + '/', { headers: sandboxHeaders('team-b', 'sb-b') })).status).toBe(201);
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200]);
    expect(await router.metrics.registry.metrics()).toContain('sandbox_router_queue_rejections_total{sandbox_namespace="team-a"} 1');
  }, { maxConnectionsPerSandbox: 1, maxQueuedRequestsPerSandbox: 1 }));

test('never to a node: hostNetwork sandboxes, node addresses and ports outside the allowed ones are refused with the reason', async () => {
  const resolver = new StaticResolver([
    { namespace: 'team-a', name: 'host-net', uid: 'u1', podIPs: ['127.0.0.2'], hostNetwork: true },
    { namespace: 'team-a', name: 'on-node', uid: 'u2', podIPs: ['127.0.0.3'] },
    { namespace: 'team-a', name: 'narrow', uid: 'u3', podIPs: ['127.0.0.1'], allowedPorts: [upstreamPort] },
    { namespace: 'team-a', name: 'broken', uid: 'u4', podIPs: ['127.0.0.1'], allowedPorts: [] },
  ]);
  const router = new RouterServer({
    config: { ...DEFAULT_ROUTER_CONFIG, allowLoopbackPodIP: true, accessLog: false, allowedSandboxPorts: `${upstreamPort},9999` },
    resolver, authorizer: new AllowAllAuthorizer(), nodeAddresses: { isNodeAddress: (ip) => ip === '127.0.0.3', ready: () => true },
  });
  const url = `http://127.0.0.1:${await router.listen(0, '127.0.0.1')}`;
  try {
    const cases: Array<[string, number, number, string]> = [
      ['host-net', upstreamPort, 403, 'Sandbox team-a/host-net uses hostNetwork: its address is its node\'s, and the router never proxies to a node.'],
      ['on-node', upstreamPort, 403, 'Sandbox team-a/on-node reports address 127.0.0.3, which is a node\'s; the router never proxies to a node.'],
      ['narrow', 9090, 403, 'Port 9090 is not open to the router (allowed: ' + upstreamPort + ', 9999).'],
      ['narrow', 9999, 403, `Port 9999 of sandbox team-a/narrow is not open to the router (allowed: ${upstreamPort}).`],
      ['broken', upstreamPort, 403, `Port ${upstreamPort} of sandbox team-a/broken is not open to the router (allowed: none: its agent-sandbox-kit.dev/router-ports annotation is not a list of ports).`],
    ];
    for (const [id, port, status, detail] of cases) {
      const res = await fetch(url + '/', { headers: { ...sandboxHeaders('team-a', id), 'x-sandbox-port': String(port) } });
      expect([id, port, res.status, await res.json()]).toEqual([id, port, status, { detail }]);
    }
    expect((await fetch(url + '/', { headers: sandboxHeaders('team-a', 'narrow') })).status).toBe(201);
  } finally {
    await router.close();
  }
});

test('dial failures are retried, then answered 502 with the sandbox id', () =>
  withRouter(async (url) => {
    const res = await fetch(url + '/', { headers: { 'x-sandbox-id': 'sb-a', 'x-sandbox-namespace': 'team-a', 'x-sandbox-port': '1' } });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ detail: 'Could not connect to the backend sandbox: sb-a' });
  }));

/** A cache that knows `moved` at a stale address until refresh() reads `fresh` (undefined: deleted meanwhile). */
function staleCache(fresh: SandboxTarget | undefined): SandboxResolver & { refreshes: number } {
  let known: SandboxTarget | undefined = { namespace: 'team-a', name: 'moved', uid: 'uid-m', podIPs: ['127.0.0.2'] }; // nothing listens there
  return {
    refreshes: 0,
    lookup: (namespace, name) => (namespace === 'team-a' && name === 'moved' ? known : undefined),
    ready: () => true,
    async refresh() {
      this.refreshes++;
      known = fresh;
      return known;
    },
  };
}

test('a refused cached address is re-resolved once and the fresh address is dialled', async () => {
  const cache = staleCache({ namespace: 'team-a', name: 'moved', uid: 'uid-m', podIPs: ['127.0.0.1'] });
  await withRouter(async (url, router) => {
    for (const body of ['first', 'second']) {
      const res = await fetch(url + '/echo', { method: 'POST', body, headers: sandboxHeaders('team-a', 'moved') });
      expect([res.status, await res.text()]).toEqual([201, `POST /echo ${body}`]);
    }
    expect(cache.refreshes).toBe(1);
    expect(await router.metrics.registry.metrics()).toContain('sandbox_router_cache_invalidations_total 1');
  }, {}, undefined, cache);
});

test('a re-resolved sandbox that still refuses gets 502, one that is gone 404', async () => {
  const unchanged = staleCache({ namespace: 'team-a', name: 'moved', uid: 'uid-m', podIPs: ['127.0.0.2'] });
  await withRouter(async (url, router) => {
    const res = await fetch(url + '/', { headers: sandboxHeaders('team-a', 'moved') });
    expect([res.status, await res.json()]).toEqual([502, { detail: 'Could not connect to the backend sandbox: moved' }]);
    expect(unchanged.refreshes).toBe(1);
    // One failed request is one upstream error, however many addresses it tried.
    expect(await router.metrics.registry.metrics()).toMatch(/sandbox_router_upstream_errors_total\{[^}]*\} 1\n/);
  }, {}, undefined, unchanged);
  await withRouter(async (url) => {
    const res = await fetch(url + '/', { headers: sandboxHeaders('team-a', 'moved') });
    expect([res.status, await res.json()]).toEqual([404, { detail: 'Sandbox team-a/moved not found or not ready.' }]);
  }, {}, undefined, staleCache(undefined));
});

test('a stale X-Sandbox-Pod-IP hint is read again, never refused: the current Ready pod gets the request', async () => {
  const fresh = { namespace: 'team-a', name: 'moved', uid: 'uid-m', podIPs: ['127.0.0.1'] };
  const cache = staleCache(fresh);
  await withRouter(async (url, router) => {
    // The SDK read the new pod's address before our watch did.
    const res = await fetch(url + '/echo', { method: 'POST', body: 'hinted', headers: sandboxHeaders('team-a', 'moved', { 'x-sandbox-pod-ip': '127.0.0.1' }) });
    expect([res.status, await res.text()]).toEqual([201, 'POST /echo hinted']);
    expect(cache.refreshes).toBe(1);
    expect(await router.metrics.registry.metrics()).toContain('sandbox_router_stale_pod_ip_hints_total 1');
  }, {}, undefined, cache);
  await withRouter(async (url) => {
    // A hint naming no pod of the sandbox (an old pod, or any other address) only costs a re-read: the request
    // goes to the sandbox's own Ready pod, never to the hinted address.
    seenHeaders.length = 0;
    const res = await fetch(url + '/echo', { headers: sandboxHeaders('team-a', 'moved', { 'x-sandbox-pod-ip': '198.18.1.2' }) });
    expect(res.status).toBe(201);
    expect(seenHeaders[0]!.host).toBe(`127.0.0.1:${upstreamPort}`);
  }, {}, undefined, staleCache(fresh));
});

test('a stale hint for a sandbox with no Ready pod now gets a retryable 503, not 403 or 404', async () => {
  const cache = staleCache(undefined);
  await withRouter(async (url) => {
    const res = await fetch(url + '/', { headers: sandboxHeaders('team-a', 'moved', { 'x-sandbox-pod-ip': '127.0.0.3' }) });
    expect([res.status, res.headers.get('retry-after'), await res.json()]).toEqual([503, '1', {
      detail: 'Sandbox team-a/moved has no Ready pod at the moment (X-Sandbox-Pod-IP 127.0.0.3 is no longer its pod); retry.',
    }]);
    expect(cache.refreshes).toBe(1);
  }, {}, undefined, cache);
});

test('scoped tokens: missing/invalid -> 401, other sandbox -> 403, own sandbox -> proxied', () =>
  withRouter(async (url) => {
    const tokenA = mintScopedToken(SECRET, { namespace: 'team-a', name: 'sb-a', ttlSeconds: 60 });
    const expired = mintScopedToken(SECRET, { namespace: 'team-a', name: 'sb-a', ttlSeconds: 1 }, Date.now() - 10_000);
    const forged = mintScopedToken(Buffer.from('another-secret-another-secret-another'), { namespace: 'team-a', name: 'sb-a', ttlSeconds: 60 });
    const get = (ns: string, id: string, token?: string, extra: Record<string, string> = {}) =>
      fetch(url + '/', { headers: sandboxHeaders(ns, id, { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra }) });
    expect((await get('team-a', 'sb-a')).status).toBe(401);
    expect((await get('team-a', 'sb-a', expired)).status).toBe(401);
    expect((await get('team-a', 'sb-a', forged)).status).toBe(401);
    const cross = await get('team-b', 'sb-b', tokenA);
    expect(cross.status).toBe(403);
    expect(await cross.json()).toEqual({ detail: 'Token is scoped to sandbox team-a/sb-a, not team-b/sb-b.' });
    expect((await get('team-a', 'sb-a', tokenA, { 'x-sandbox-pod-ip': '127.0.0.1' })).status).toBe(403);
    expect((await get('team-a', 'sb-a', tokenA)).status).toBe(201);
  }, {}, new ScopedTokenAuthorizer(SECRET)));

test('scoped-token secrets shorter than 32 bytes are rejected', () => {
  expect(() => new ScopedTokenAuthorizer(Buffer.from('  short  '))).toThrow('at least 32 bytes after trimming (got 5)');
});

test('in-flight limit answers 503; metrics use upstream names', () =>
  withRouter(async (url, router) => {
    const slow = fetch(url + '/stream', { headers: sandboxHeaders('team-a', 'sb-a') });
    // Wait until the slow request holds the only slot (a fixed sleep flakes on a loaded machine).
    while ((await router.metrics.inflight.get()).values[0]?.value !== 1) await new Promise((r) => setTimeout(r, 5));
    const refused = await fetch(url + '/', { headers: sandboxHeaders('team-a', 'sb-a') });
    expect(refused.status).toBe(503);
    await (await slow).text();
    const text = await router.metrics.registry.metrics();
    expect(text).toContain('sandbox_router_requests_total{method="GET",code="200",sandbox_namespace="team-a"} 1');
    expect(text).toContain('sandbox_router_requests_total{method="GET",code="503",sandbox_namespace="unknown"} 1');
    expect(text).toContain('sandbox_router_authz_decisions_total{sandbox_namespace="team-a",decision="allow"} 1');
  }, { maxInflightRequests: 1 }));

const readAll = async (res: Response): Promise<string> => Buffer.from(await res.arrayBuffer()).toString();

test('unary requests: bounded by the total timeout, not by the idle timeout', async () => {
  await withRouter(async (url) => {
    const res = await fetch(url + '/slow', { headers: sandboxHeaders('team-a', 'sb-a') });
    expect([res.status, await res.text()]).toEqual([200, 'late']); // 1 s of silence > the 0.5 s idle timeout
  }, { idleTimeoutSeconds: 0.5, proxyTimeoutSeconds: 3 });
  await withRouter(async (url) => {
    const res = await fetch(url + '/slow', { headers: sandboxHeaders('team-a', 'sb-a') });
    expect([res.status, await res.json()]).toEqual([504, { detail: 'Timed out waiting for the backend sandbox: sb-a' }]);
  }, { proxyTimeoutSeconds: 0.5 });
});

test('streamed responses: not bounded by the total timeout while bytes flow; closed after the stream idle timeout', async () => {
  const logged: AccessLogEntry[] = [];
  await withRouter(async (url) => {
    const res = await fetch(url + '/ndjson?lines=6&gap=250', { headers: sandboxHeaders('team-a', 'sb-a') });
    expect((await readAll(res)).trim().split('\n')).toHaveLength(7); // 1.5 s in all > the 0.5 s total timeout
  }, { proxyTimeoutSeconds: 0.5, streamIdleTimeoutSeconds: 1, idleTimeoutSeconds: 0.5 });
  await withRouter(async (url) => {
    const started = Date.now();
    const res = await fetch(url + '/ndjson?lines=1&gap=5000', { headers: sandboxHeaders('team-a', 'sb-a') });
    const reader = res.body!.getReader();
    expect(Buffer.from((await reader.read()).value!).toString()).toBe('{"line":0}\n');
    await expect(reader.read()).rejects.toThrow('terminated');
    expect(Date.now() - started).toBeLessThan(3000);
    // Both sides close asynchronously: the sandbox's response, and the client's (logged when it closes).
    while (cutStreams.length === 0 || logged.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(cutStreams).toEqual(['/ndjson?lines=1&gap=5000']);
    expect(logged.at(-1)).toMatchObject({ status: 504, detail: 'No data from the backend sandbox for 0.5s: sb-a' });
  }, { streamIdleTimeoutSeconds: 0.5, accessLog: true }, undefined, undefined, (entry) => logged.push(entry));
});
