// Environment variables through which the cluster jest project's global setup hands the running
// local control plane to test files.
/** Admin (system:masters) kubeconfig of the local plane. KUBECONFIG is set to the same file. */
export const kubeconfigEnv = 'ASK_KUBECONFIG';
/** API server URL, https://127.0.0.1:<port>. */
export const serverEnv = 'ASK_CLUSTER_SERVER';
/** Loopback CIDR kwok assigns pod IPs from (a local process may serve a "pod" on such an IP). */
export const podCidrEnv = 'ASK_CLUSTER_POD_CIDR';
/** Developer opt-out: `ASK_SKIP_CLUSTER_TESTS=1` drops the cluster project (CI never sets it). */
export const skipEnv = 'ASK_SKIP_CLUSTER_TESTS';

/** The admin kubeconfig path; throws if the global setup did not run. */
export function adminKubeconfig(): string {
  const path = process.env[kubeconfigEnv];
  if (!path) throw new Error(`${kubeconfigEnv} is not set: run cluster tests through jest's "cluster" project`);
  return path;
}
