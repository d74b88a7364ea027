// In-cluster credentials without @kubernetes/client-node: the ServiceAccount token (re-read, since projected tokens
// rotate), its CA and KUBERNETES_SERVICE_HOST/PORT. The controller image always runs in-cluster, and importing
// client-node's generated API models costs ~60 MB of RSS that a controller holding 1,000s of objects should not pay.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Credentials } from './credentials';

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** True when running in a pod with a mounted ServiceAccount token (what client-node's loadFromCluster needs too). */
export function inClusterAvailable(env: NodeJS.ProcessEnv = process.env, dir = serviceAccountDir): boolean {
  try {
    return Boolean(env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && readFileSync(join(dir, 'token'), 'utf8'));
  } catch {
    return false;
  }
}

function podNamespace(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, 'namespace'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function inClusterCredentials(env: NodeJS.ProcessEnv = process.env, dir = serviceAccountDir): Credentials {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('not running in-cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set');
  const tokenFile = join(dir, 'token');
  const bearer = (token: string) => ({ Authorization: `Bearer ${token.trim()}` });
  return {
    server: new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`),
    tls: { ca: readFileSync(join(dir, 'ca.crt')) },
    headers: bearer(readFileSync(tokenFile, 'utf8')),
    refreshHeaders: async () => bearer(await readFile(tokenFile, 'utf8')),
    namespace: podNamespace(dir),
  };
}
