// Child process for the router-proxy bench scenario: a router with a static one-sandbox table (scoped-token auth, access
// log off) forwarding to the runtime given on the command line; prints its port when listening.
// Usage: tsx test/bench/router-target.ts <runtime-ip> <runtime-port> <secret>
import { DEFAULT_ROUTER_CONFIG, RouterServer, ScopedTokenAuthorizer, StaticResolver } from '../../lib/router';

async function main(): Promise<void> {
  const [ip = '127.0.0.1', , secret = ''] = process.argv.slice(2);
  const router = new RouterServer({
    config: { ...DEFAULT_ROUTER_CONFIG, allowLoopbackPodIP: true, accessLog: false },
    resolver: new StaticResolver([{ namespace: 'bench', name: 'sandbox', uid: 'bench-uid', podIPs: [ip] }]),
    authorizer: new ScopedTokenAuthorizer(Buffer.from(secret)),
  });
  console.log(String(await router.listen(0, '127.0.0.1')));
}

void main();
