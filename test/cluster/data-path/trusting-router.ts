// A router with --authz-trust-port-forward on, listening on every address of its network namespace, and a stand-in
// sandbox on loopback in the same namespace; run by port-forward-trust.test.ts inside a namespace of its own.
import * as http from 'node:http';
import { DEFAULT_ROUTER_CONFIG, RouterServer, StaticResolver, TokenReviewAuthorizer } from '../../../lib/router';

async function main(): Promise<void> {
  const sandbox = http.createServer((_req, res) => res.end('reached'));
  await new Promise<void>((r) => sandbox.listen(8888, '127.0.0.1', r));
  const noApiServer = { create: async () => Promise.reject(new Error('no API server here')) };
  const router = new RouterServer({
    config: { ...DEFAULT_ROUTER_CONFIG, authzTrustPortForward: true, allowLoopbackPodIP: true, accessLog: false },
    resolver: new StaticResolver([{ namespace: 'team-a', name: 'sb', uid: 'u', podIPs: ['127.0.0.1'] }]),
    authorizer: new TokenReviewAuthorizer(noApiServer),
  });
  await router.listen(8080, '0.0.0.0');
  console.log('listening');
}

void main();
