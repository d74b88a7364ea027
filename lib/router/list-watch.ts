// The router's caches follow the API server the same way: list, then watch from the list's resourceVersion;
// relist at once on 410 Gone and after a delay on any other error, until stopped.
import { isGone, type KubeClient, type KubeObject, type ObjectList, type ResourceType, type WatchEvent } from '../kube';

export interface ListWatchOptions<T extends KubeObject> {
  readonly namespace?: string;
  /** Delay before relisting after a failed list or watch. */
  readonly retryDelayMs: number;
  readonly signal: AbortSignal;
  /** Replaces everything known with a fresh list. */
  readonly onList: (list: ObjectList<T>) => void;
  readonly onEvent: (event: WatchEvent<T>) => void;
  readonly onError?: (err: unknown) => void;
}

/** Runs until `options.signal` aborts. */
export async function listAndWatch<T extends KubeObject>(client: KubeClient, type: ResourceType, options: ListWatchOptions<T>): Promise<void> {
  const { namespace, signal } = options;
  while (!signal.aborted) {
    try {
      const list = await client.listAll<T>(type, { namespace });
      options.onList(list);
      await client.watch<T>(type, { namespace, resourceVersion: list.metadata.resourceVersion, signal }, options.onEvent);
    } catch (err) {
      if (signal.aborted) return;
      if (!isGone(err)) {
        options.onError?.(err);
        await new Promise((r) => setTimeout(r, options.retryDelayMs));
      }
    }
  }
}
