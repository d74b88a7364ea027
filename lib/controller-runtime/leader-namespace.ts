// Where the leader-election Lease lives: the flag, else the pod's own namespace (POD_NAMESPACE or the ServiceAccount
// namespace file), else a clear error — the same rule as controller-runtime.
import { readFileSync } from 'node:fs';

export const serviceAccountNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function leaderElectionNamespace(flag: string, env: NodeJS.ProcessEnv = process.env, namespaceFile = serviceAccountNamespaceFile): string {
  if (flag) return flag;
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    const ns = readFileSync(namespaceFile, 'utf8').trim();
    if (ns) return ns;
  } catch {
    // not in a pod
  }
  throw new Error('unable to find the leader election namespace: not running in-cluster; set --leader-election-namespace (or --leader-elect=false)');
}
