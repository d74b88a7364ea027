// setupFiles of the "node" project: points the cluster harness (kubectl, namespaces, waits) of each node
// test file at the real-node plane. Jest gives every test file its own copy of process.env.
import { kubeconfigEnv } from '../harness/env';
import { nodeKubeconfigEnv } from './env';

const kubeconfig = process.env[nodeKubeconfigEnv];
if (!kubeconfig) throw new Error(`${nodeKubeconfigEnv} is not set: run node tests through jest's "node" project`);
process.env[kubeconfigEnv] = kubeconfig;
process.env.KUBECONFIG = kubeconfig;
