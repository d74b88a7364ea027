// Loads cluster address and credentials with @kubernetes/client-node's KubeConfig (all auth plugins, in-cluster
// token files), then hands plain TLS options and headers to our own HTTP transport. Inside a pod without a kubeconfig
// the lightweight in-cluster loader is used instead (see in-cluster.ts for why).
import type { KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeconfigError, type CredentialSource, type Credentials } from './credentials';
import { inClusterAvailable, inClusterCredentials } from './in-cluster';

/** The kubeconfig files $KUBECONFIG names (a path list, as kubectl reads it). */
function kubeconfigEnvFiles(env: NodeJS.ProcessEnv): string[] {
  return (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
}

/** Throws KubeconfigError unless the default chain ($KUBECONFIG, ~/.kube/config, in-cluster) finds something. */
function checkDefaultChain(env: NodeJS.ProcessEnv): void {
  const listed = kubeconfigEnvFiles(env);
  if (listed.length > 0) {
    if (!listed.some((file) => existsSync(file))) {
      throw new KubeconfigError(`no kubeconfig found: $KUBECONFIG names ${listed.join(delimiter)}, which does not exist; fix KUBECONFIG or pass --kubeconfig`);
    }
    return;
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home) || inClusterAvailable(env)) return;
  throw new KubeconfigError(`no kubeconfig found: $KUBECONFIG is not set, ${home} does not exist, and this is not a pod with a ServiceAccount token (in-cluster); pass --kubeconfig FILE or set KUBECONFIG`);
}

/**
 * Resolve credentials: an explicit kubeconfig path, in-cluster config, or the default chain
 * ($KUBECONFIG, ~/.kube/config, in-cluster).
 */
export async function loadCredentials(source: CredentialSource = {}): Promise<Credentials> {
  // Same order as client-node's loadFromDefault: $KUBECONFIG, ~/.kube/config, then in-cluster.
  const defaultChainIsInCluster = !source.kubeconfig && !source.context && !process.env.KUBECONFIG
    && !existsSync(join(homedir(), '.kube', 'config')) && inClusterAvailable();
  if (source.inCluster || defaultChainIsInCluster) return inClusterCredentials();
  if (source.kubeconfig && !existsSync(source.kubeconfig)) throw new KubeconfigError(`kubeconfig ${source.kubeconfig} does not exist`);
  if (!source.kubeconfig) checkDefaultChain(process.env);
  // client-node is ESM-only; a dynamic import keeps this CommonJS package loadable on Node 20.
  const { KubeConfig: KubeConfigClass } = await import('@kubernetes/client-node');
  const kc: KubeConfig = new KubeConfigClass();
  const file = source.kubeconfig ?? (kubeconfigEnvFiles(process.env).join(delimiter) || join(homedir(), '.kube', 'config'));
  try {
    if (source.kubeconfig) kc.loadFromFile(source.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new KubeconfigError(`kubeconfig ${file} cannot be read: ${(err as Error).message}`);
  }
  if (source.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(source.context)) {
      throw new KubeconfigError(`context ${JSON.stringify(source.context)} is not in kubeconfig ${file} (it has ${names.length ? names.join(', ') : 'no contexts'})`);
    }
    kc.setCurrentContext(source.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeconfigError(`kubeconfig ${file} has no current context with a cluster; pass --context or run kubectl config use-context`);

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
    namespace: kc.getContextObject(kc.getCurrentContext())?.namespace,
    context: kc.getCurrentContext(),
  };
}
