// Loads cluster address and credentials with @kubernetes/client-node's KubeConfig (all auth plugins, in-cluster
// token files), then hands plain TLS options and headers to our own HTTP transport. Inside a pod without a kubeconfig
// the lightweight in-cluster loader is used instead (see in-cluster.ts for why).
import type { KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CredentialSource, Credentials } from './credentials';
import { inClusterAvailable, inClusterCredentials } from './in-cluster';

/**
 * Resolve credentials: an explicit kubeconfig path, in-cluster config, or the default chain
 * ($KUBECONFIG, ~/.kube/config, in-cluster).
 */
export async function loadCredentials(source: CredentialSource = {}): Promise<Credentials> {
  // Same order as client-node's loadFromDefault: $KUBECONFIG, ~/.kube/config, then in-cluster.
  const defaultChainIsInCluster = !source.kubeconfig && !source.context && !process.env.KUBECONFIG
    && !existsSync(join(homedir(), '.kube', 'config')) && inClusterAvailable();
  if (source.inCluster || defaultChainIsInCluster) return inClusterCredentials();
  // client-node is ESM-only; a dynamic import keeps this CommonJS package loadable on Node 20.
  const { KubeConfig: KubeConfigClass } = await import('@kubernetes/client-node');
  const kc: KubeConfig = new KubeConfigClass();
  if (source.kubeconfig) kc.loadFromFile(source.kubeconfig);
  else kc.loadFromDefault();
  if (source.context) kc.setCurrentContext(source.context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig${source.kubeconfig ? ` ${source.kubeconfig}` : ''} has no current cluster`);

  const readOptions = async () => {
    const opts: { headers: Record<string, string>; auth?: string } & Credentials['tls'] = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    const headers = { ...opts.headers };
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    return { opts, headers };
  };
  const { opts, headers } = await readOptions();
  return {
    server: new URL(cluster.server),
    tls: { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername },
    headers,
    refreshHeaders: async () => (await readOptions()).headers,
  };
}
