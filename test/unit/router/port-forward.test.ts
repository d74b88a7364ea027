// Callers the upstream SDK can be: port-forwarded connections (trusted only when the router is told to, and only by
// the socket's own addresses), tokenless requests (401 naming the ways in, unless require-token is off).
import { isPortForwarded } from '../../../lib/router/auth/port-forward';
import { TOKEN_REQUIRED_DETAIL } from '../../../lib/router/auth/tokenreview';
import { DEFAULT_ROUTER_CONFIG, RouterServer, StaticResolver, TokenReviewAuthorizer } from '../../../lib/router';
import * as http from 'node:http';
import type * as net from 'node:net';

test('only a connection with loopback at both ends counts as port-forwarded', () => {
  expect(isPortForwarded({ remoteAddress: '127.0.0.1', localAddress: '127.0.0.1' })).toBe(true);
  expect(isPortForwarded({ remoteAddress: '::1', localAddress: '::1' })).toBe(true);
  expect(isPortForwarded({ remoteAddress: '::ffff:127.0.0.1', localAddress: '::ffff:127.0.0.1' })).toBe(true);
  // Another pod reaches the router's Pod IP: its own address is the source, whatever it claims in headers.
  expect(isPortForwarded({ remoteAddress: '198.18.0.7', localAddress: '198.18.0.9' })).toBe(false);
  expect(isPortForwarded({ remoteAddress: '::ffff:198.18.0.7', localAddress: '::ffff:198.18.0.9' })).toBe(false);
  expect(isPortForwarded({ remoteAddress: '127.0.0.1', localAddress: '198.18.0.9' })).toBe(false);
  expect(isPortForwarded({ remoteAddress: undefined, localAddress: '127.0.0.1' })).toBe(false);
});

describe('through the router', () => {
  let sandbox: http.Server;
  let port: number;
  const apiCalls: string[] = [];
  const kube = { create: async (type: { kind: string }) => { apiCalls.push(type.kind); throw new Error('no API server in this test'); } };

  beforeAll(async () => {
    sandbox = http.createServer((_req, res) => res.end('reached'));
    await new Promise<void>((r) => sandbox.listen(0, '127.0.0.1', r));
    port = (sandbox.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => sandbox.close(() => r())));

  async function call(config: Partial<typeof DEFAULT_ROUTER_CONFIG>, requireToken = true, headers: Record<string, string> = {}): Promise<[number, string]> {
    const router = new RouterServer({
      config: { ...DEFAULT_ROUTER_CONFIG, allowLoopbackPodIP: true, accessLog: false, ...config },
      resolver: new StaticResolver([{ namespace: 'team-a', name: 'sb', uid: 'u', podIPs: ['127.0.0.1'] }]),
      authorizer: new TokenReviewAuthorizer(kube, { requireToken }),
    });
    const routerPort = await router.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${routerPort}/`, { headers: { 'x-sandbox-id': 'sb', 'x-sandbox-namespace': 'team-a', 'x-sandbox-port': String(port), ...headers } });
      return [res.status, await res.text()];
    } finally {
      await router.close();
    }
  }

  test('tokenless: 401 naming every way to authenticate, without an API call', async () => {
    const [status, body] = await call({});
    expect([status, JSON.parse(body)]).toEqual([401, { detail: TOKEN_REQUIRED_DETAIL }]);
    expect(TOKEN_REQUIRED_DETAIL).toMatch(/Authorization: Bearer <token>.*sandboxes\/proxy.*kubectl port-forward.*--authz-trust-port-forward/);
    expect(apiCalls).toEqual([]);
  });

  test('--authz-trust-port-forward admits loopback connections without a token or an API call', async () => {
    expect(await call({ authzTrustPortForward: true })).toEqual([200, 'reached']);
    expect(apiCalls).toEqual([]);
  });

  test('--authz-tokenreview-require-token=false lets tokenless requests through (upstream default); a token is still checked', async () => {
    expect(await call({}, false)).toEqual([200, 'reached']);
    const [status] = await call({}, false, { authorization: 'Bearer not-a-jwt' });
    expect(status).toBe(401);
  });
});
