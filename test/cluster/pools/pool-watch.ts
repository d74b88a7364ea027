// Watches a warm pool's members (Sandboxes carrying its warm-pool label) straight from the API server and records
// the largest member count ever observed, so tests can assert the pool never exceeded its replicas at any point.
import { LABEL, nameHash, type Sandbox } from '../../../lib/api';
import { KubeClient, Resources } from '../../../lib/kube';
import { adminKubeconfig } from '../harness';

export interface PoolWatch {
  /** Members currently present (terminating ones included: they still exist). */
  count(): number;
  /** Largest count observed since the watch started. */
  max(): number;
  /** Resets max to the current count (e.g. before scaling down on purpose). */
  resetMax(): void;
  stop(): void;
}

export async function watchPool(namespace: string, pool: string): Promise<PoolWatch> {
  const client = await KubeClient.create({ kubeconfig: adminKubeconfig() });
  const labelSelector = `${LABEL.warmPoolSandbox}=${nameHash(pool)}`;
  const members = new Set<string>();
  let max = 0;
  const list = await client.list<Sandbox>(Resources.sandboxes, { namespace, labelSelector });
  for (const s of list.items) members.add(s.metadata.name!);
  max = members.size;
  const abort = new AbortController();
  let resourceVersion = list.metadata.resourceVersion;
  const loop = async () => {
    while (!abort.signal.aborted) {
      try {
        await client.watch<Sandbox>(Resources.sandboxes, { namespace, labelSelector, resourceVersion, signal: abort.signal, allowWatchBookmarks: true }, (ev) => {
          resourceVersion = ev.object.metadata?.resourceVersion ?? resourceVersion;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') members.add(ev.object.metadata.name!);
          if (ev.type === 'DELETED') members.delete(ev.object.metadata.name!);
          max = Math.max(max, members.size);
        });
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      }
    }
  };
  const running = loop();
  running.catch(() => undefined);
  return {
    count: () => members.size,
    max: () => max,
    resetMax: () => { max = members.size; },
    stop: () => { abort.abort(); client.close(); },
  };
}
