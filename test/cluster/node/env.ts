// How the "node" jest project's global setup hands the real-node plane to its test files. The kwok
// plane's global setup runs in the same process, so the node plane has variables of its own.
/** Admin kubeconfig of the real-node plane. */
export const nodeKubeconfigEnv = 'ASK_NODE_KUBECONFIG';
/** Name of the real node. */
export const nodeNameEnv = 'ASK_NODE_NAME';
