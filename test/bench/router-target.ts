// Child process for the router-proxy bench scenario: a router with a static one-sandbox table (access log off)
// forwarding to the runtime given on the command line; prints its port when listening. Auth: scoped tokens, or with
// a kubeconfig, tokenreview (TokenReview + per-sandbox SubjectAccessReview against the plane, as the router's identity).
// Usage: tsx test/bench/router-target.ts <runtime-ip> <runtime-port> <secret> [<sandbox-namespace> <router-kubeconfig>]
import { KubeClient } from '../../lib/kube';
import { DEFAULT_ROUTER_CONFIG, RouterServer, ScopedTokenAuthorizer, StaticResolver, TokenReviewAuthorizer } from '../../lib/router';

async function main(): Promise<void> {
  const [ip = '127.0.0.1', , secret = '', namespace = 'bench', kubeconfig] = process.argv.slice(2);
  const authorizer = kubeconfig ? new TokenReviewAuthorizer(await KubeClient.create({ kubeconfig })) : new ScopedTokenAuthorizer(Buffer.from(secret));
  const router = new RouterServer({
    config: { ...DEFAULT_ROUTER_CONFIG, allowLoopbackPodIP: true, accessLog: false },
    resolver: new StaticResolver([{ namespace, name: 'sandbox', uid: 'bench-uid', podIPs: [ip] }]),
    authorizer,
  });
  console.log(String(await router.listen(0, '127.0.0.1')));
}

void main();
