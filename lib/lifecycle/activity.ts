// Activity for idle suspend, recorded cheaply, shared by the router and the SDK's direct mode: requests only mark their
// sandbox in memory; every ACTIVITY_WRITE_INTERVAL_SECONDS one pass writes the last-activity annotation of each sandbox
// that saw a request since the last pass or still has one in flight (a streamed command, an upgraded connection). At
// most one write per sandbox per interval, none per request; callers begin() only sandboxes with an idle timeout.
import { ACTIVITY_WRITE_INTERVAL_SECONDS, ANNOTATION, type Sandbox } from '../api';
import { isNotFound, Resources, type KubeClient } from '../kube';

/** How one annotation write ended: `gone` is a Sandbox deleted meanwhile. */
export type ActivityWriteResult = 'written' | 'gone' | 'failed';

export interface ActivityOptions {
  readonly client: KubeClient;
  /** @default ACTIVITY_WRITE_INTERVAL_SECONDS * 1000 */
  readonly intervalMs?: number;
  /** Called once per write (e.g. to count them). @default - nothing */
  readonly onWrite?: (result: ActivityWriteResult) => void;
  /** Called with each failure other than a Sandbox that is gone. @default - nothing */
  readonly onError?: (err: unknown) => void;
}

export class ActivityRecorder {
  /** Sandboxes (`namespace/name`) that saw a request since the last pass. */
  private readonly touched = new Set<string>();
  /** Requests and upgraded connections open per sandbox. */
  private readonly open = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ActivityOptions) {
    this.timer = setInterval(() => { this.flushing = this.flush(); }, options.intervalMs ?? ACTIVITY_WRITE_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  /** A request for `namespace/name` starts; call the returned function when it (or its upgraded connection) ends. */
  begin(namespace: string, name: string): () => void {
    const key = `${namespace}/${name}`;
    this.touched.add(key);
    this.open.set(key, (this.open.get(key) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.touched.add(key);
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    };
  }

  /** Writes the annotation of every sandbox active since the last pass; returns how many writes it sent. */
  async flush(): Promise<number> {
    const due = new Set([...this.touched, ...this.open.keys()]);
    this.touched.clear();
    const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await Promise.all([...due].map(async (key) => {
      const [namespace, name] = key.split('/') as [string, string];
      try {
        await this.options.client.mergePatch<Sandbox>(Resources.sandboxes, namespace, name, { metadata: { annotations: { [ANNOTATION.lastActivity]: at } } });
        this.options.onWrite?.('written');
      } catch (err) {
        this.options.onWrite?.(isNotFound(err) ? 'gone' : 'failed');
        if (!isNotFound(err)) this.options.onError?.(err);
      }
    }));
    return due.size;
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
  }
}
