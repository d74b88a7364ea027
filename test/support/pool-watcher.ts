// Warm-pool members (Sandboxes carrying a warm-pool label) as seen through the controller's own Informer, recording
// the largest member count ever observed, so tests can assert a pool never exceeded its size at any point. A maximum
// is only claimed from a complete view: max() throws when the watch never synced or had to relist or restart (a peak
// could have passed unseen in that gap).
import { LABEL, nameHash, type Sandbox } from '../../lib/api';
import { Informer, listerWatcherFor, Resources, type KubeClient } from '../../lib/kube';

export interface PoolWatch {
  /** Members currently present. */
  count(): number;
  /** Largest count observed since the watch started (or the last resetMax). */
  max(): number;
  /** Resets max to the current count (e.g. before scaling down on purpose). */
  resetMax(): void;
  stop(): void;
}

export interface PoolWatchOptions {
  /** Only this pool's members. @default every pool in the namespace */
  pool?: string;
  /** Count members that are being deleted (they still exist). @default true */
  countTerminating?: boolean;
}

export async function watchPoolMembers(client: KubeClient, namespace: string, options: PoolWatchOptions = {}): Promise<PoolWatch> {
  const labelSelector = options.pool ? `${LABEL.warmPoolSandbox}=${nameHash(options.pool)}` : LABEL.warmPoolSandbox;
  const gaps: string[] = [];
  const informer = new Informer<Sandbox>(listerWatcherFor(client, Resources.sandboxes, { namespace, labelSelector }), {
    name: 'pool-members', onRestart: (reason) => gaps.push(reason),
  });
  const counted = (s: Sandbox) => (options.countTerminating ?? true) || !s.metadata.deletionTimestamp;
  const count = () => informer.list().filter(counted).length;
  let max = 0;
  const observe = () => { max = Math.max(max, count()); };
  informer.addEventHandler({ onAdd: observe, onUpdate: observe, onDelete: observe });
  const stop = new AbortController();
  const running = informer.start(stop.signal);
  await informer.waitForSync();
  observe();
  return {
    count,
    max: () => {
      if (gaps.length > 0) throw new Error(`pool watch had gaps (${gaps.join(', ')}): its maximum is not known`);
      return max;
    },
    resetMax: () => { max = count(); },
    stop: () => { stop.abort(); void running; },
  };
}
