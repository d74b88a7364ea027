// Kubeconfigs that authenticate as a ServiceAccount (token from the TokenRequest API), so tests can
// run a component with exactly the RBAC it is granted instead of as cluster admin.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readEndpoint, writeKubeconfig } from '../plane/kubeconfig';
import { adminKubeconfig } from './env';
import { kubectl } from './kubectl';

/**
 * Requests a token for `namespace/serviceAccount` and writes a kubeconfig using it (default namespace
 * `namespace`) next to the admin kubeconfig; returns its path. The ServiceAccount must exist.
 */
export async function serviceAccountKubeconfig(
  namespace: string, serviceAccount: string, options: { durationSeconds?: number } = {},
): Promise<string> {
  const token = (await kubectl(['create', 'token', serviceAccount, '--namespace', namespace,
    `--duration=${options.durationSeconds ?? 3600}s`])).trim();
  const path = join(dirname(adminKubeconfig()), 'service-accounts', `${namespace}.${serviceAccount}.kubeconfig`);
  mkdirSync(dirname(path), { recursive: true });
  writeKubeconfig(path, readEndpoint(adminKubeconfig()), `system:serviceaccount:${namespace}:${serviceAccount}`, { token }, namespace);
  return path;
}
