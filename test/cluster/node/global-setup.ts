// Jest globalSetup of the "node" project: starts (or reuses) this checkout's real-node plane (.cluster-node/)
// and hands its admin kubeconfig to the test files through ASK_NODE_KUBECONFIG (use-node-plane.ts).
import { clusterUp } from '../plane/plane';
import { nodeKubeconfigEnv, nodeNameEnv } from './env';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const plane = await clusterUp({ realNode: true });
  process.env[nodeKubeconfigEnv] = plane.kubeconfig;
  process.env[nodeNameEnv] = plane.node;
  const how = plane.reused ? 'reused' : 'started';
  console.log(`\nreal-node plane ${how} in ${((Date.now() - started) / 1000).toFixed(1)}s at ${plane.server}`);
}
