// Entry point of the sandbox router (`npm run router -- --authz-mode tokenreview`): wires config, the
// Sandbox cache, the authorizer and the proxy and admin listeners, and shuts down gracefully.
import * as fs from 'node:fs';
import { PACKAGE_VERSION } from '../builders/package-version';
import { KubeClient } from '../kube';
import { AllowAllAuthorizer, type Authorizer } from './auth/authorizer';
import { ScopedTokenAuthorizer } from './auth/scoped-token';
import { TokenReviewAuthorizer } from './auth/tokenreview';
import { createAdminServer } from './admin-server';
import { DEFAULT_ROUTER_CONFIG, kebab, parseRouterConfig, splitBindAddress, type RouterConfig } from './config';
import { RouterMetrics } from './metrics';
import { NodeAddressCache } from './node-addresses';
import { SandboxCache } from './sandbox-cache';
import { RouterServer } from './server';
import { ActivityRecorder } from '../lifecycle/activity';
import { LifecycleRouterMetrics } from './lifecycle/metrics';
import { SandboxWaker } from './lifecycle/waker';

/** The authorizer of `--authz-mode`; modes are independent implementations of Authorizer. */
function buildAuthorizer(config: RouterConfig, client: KubeClient, metrics: RouterMetrics): Authorizer {
  switch (config.authzMode) {
    case 'allow-all':
      console.error('WARNING: --authz-mode=allow-all lets anyone who can reach the router run commands in every sandbox. Use it for local development only.');
      return new AllowAllAuthorizer();
    case 'scoped-token':
      if (!config.authzScopedTokenSecretFile) throw new Error('--authz-mode=scoped-token needs --authz-scoped-token-secret-file');
      return new ScopedTokenAuthorizer(fs.readFileSync(config.authzScopedTokenSecretFile));
    case 'tokenreview':
      return new TokenReviewAuthorizer(client, {
        ttlMs: config.authzTokenreviewTtlSeconds * 1000,
        staleGraceMs: config.authzStaleGraceSeconds * 1000,
        apiCallsPerSecond: config.authzApiCallsPerSecond,
        tokenFormat: config.authzTokenFormat,
        cacheSize: config.authzTokenreviewCacheSize,
        requireToken: config.authzTokenreviewRequireToken,
        metrics,
        audiences: config.authzTokenreviewAudiences.split(',').map((a) => a.trim()).filter(Boolean),
      });
  }
}

async function listenOn(server: { listen(port: number, host?: string, cb?: () => void): unknown }, address: string): Promise<void> {
  const { host, port } = splitBindAddress(address);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
}

/** `--help`: every flag with its default (the flags mirror RouterConfig; the README's table explains the timeouts). */
function usage(): string {
  const flags = Object.entries(DEFAULT_ROUTER_CONFIG).map(([key, value]) =>
    `  ${kebab(key).padEnd(38)} default ${JSON.stringify(value)}`);
  return `Usage: sandbox-router [--flag value | --flag=value]...\n${flags.join('\n')}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.some((arg) => arg === '--help' || arg === '-h')) {
    console.log(usage());
    return;
  }
  if (argv.some((arg) => arg === '--version' || arg === '-version' || arg === '--version=true')) {
    console.log(`sandbox-router ${PACKAGE_VERSION}`);
    return;
  }
  const config = parseRouterConfig(argv.filter((arg) => arg !== '--version=false'));
  if (config.authzMode === 'tokenreview' && !config.authzTokenreviewRequireToken) {
    console.error('WARNING: --authz-tokenreview-require-token=false lets requests without a bearer token reach every sandbox unchecked.');
  }
  const client = await KubeClient.create(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {});
  const logError = (what: string) => (err: unknown) => console.error(JSON.stringify({ msg: `${what} error`, error: (err as Error).message }));
  const cache = new SandboxCache(client, { namespace: config.cacheNamespace || undefined, clusterDomain: config.clusterDomain, onError: logError('sandbox cache') });
  const nodes = new NodeAddressCache(client, { onError: logError('node cache') });
  void cache.start();
  void nodes.start();
  const metrics = new RouterMetrics();
  const lifecycleMetrics = new LifecycleRouterMetrics(metrics);
  const lifecycle = {
    metrics: lifecycleMetrics,
    activity: new ActivityRecorder({ client, onWrite: lifecycleMetrics.countActivityWrite, onError: logError('activity write') }),
    waker: config.resumeHoldSeconds > 0 ? new SandboxWaker({ client, resolver: cache, holdMs: config.resumeHoldSeconds * 1000, metrics: lifecycleMetrics }) : undefined,
  };
  const router = new RouterServer({ config, resolver: cache, nodeAddresses: nodes, metrics, authorizer: buildAuthorizer(config, client, metrics), lifecycle });
  const ready = (): boolean => cache.ready() && nodes.ready();
  if (config.httpBindAddress) await listenOn(router.server, config.httpBindAddress);
  if (config.httpsBindAddress) {
    const tls = router.tlsServer({
      cert: fs.readFileSync(config.tlsCertFile), key: fs.readFileSync(config.tlsKeyFile),
      ...(config.mtlsMode === 'off' ? {} : { ca: fs.readFileSync(config.tlsClientCaFile), requestCert: true, rejectUnauthorized: config.mtlsMode === 'required' }),
    });
    // `optional`: a client certificate is not needed, but one that is sent must verify.
    if (config.mtlsMode === 'optional') tls.on('secureConnection', (socket) => {
      if (!socket.authorized && Object.keys(socket.getPeerCertificate()).length > 0) socket.destroy();
    });
    await listenOn(tls, config.httpsBindAddress);
  }
  await listenOn(createAdminServer(metrics, ready), config.metricsBindAddress);
  if (config.healthProbeBindAddress !== config.metricsBindAddress) await listenOn(createAdminServer(metrics, ready), config.healthProbeBindAddress);
  console.error(JSON.stringify({ msg: 'sandbox router listening', address: config.httpBindAddress, tlsAddress: config.httpsBindAddress || undefined, authzMode: config.authzMode }));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      cache.stop();
      nodes.stop();
      void Promise.all([router.close(config.shutdownTimeoutSeconds * 1000), lifecycle.activity.stop()]).then(() => process.exit(0));
    });
  }
}

main().catch((err: unknown) => {
  console.error(`sandbox-router: ${(err as Error).message}`);
  process.exit(1);
});
