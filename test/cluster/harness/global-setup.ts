// Jest globalSetup of the "cluster" project: starts (or reuses) this checkout's local control plane
// and exports its coordinates to the test workers. A plane that cannot start fails the run.
import { clusterUp } from '../plane/plane';
import { kubeconfigEnv, podCidrEnv, serverEnv } from './env';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const plane = await clusterUp();
  process.env[kubeconfigEnv] = plane.kubeconfig;
  // Anything that falls back to the default kubeconfig must hit the local plane, never a real cluster.
  process.env.KUBECONFIG = plane.kubeconfig;
  process.env[serverEnv] = plane.server;
  process.env[podCidrEnv] = plane.podCidr;
  const how = plane.reused ? 'reused' : 'started';
  console.log(`\nlocal control plane ${how} in ${((Date.now() - started) / 1000).toFixed(1)}s at ${plane.server}`);
}
