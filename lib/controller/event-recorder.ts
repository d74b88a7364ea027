// Kubernetes Events about our objects (core/v1 Events). Best effort: a failed event write is logged, never fails a
// reconcile. No client waits on an Event, so during a burst of claims they are queued until it ends (see BurstGate),
// timestamped when they happened; the manager flushes the queue on shutdown.
import type { Event as CoreEvent } from 'kubernetes-types/core/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { KubeClient } from '../kube/client';
import { Resources } from '../kube/resources';
import { BurstGate } from './burst-gate';

type EventObject = { apiVersion: string; kind: string; metadata?: ObjectMeta };

export interface EventRecorder {
  warning(object: EventObject, reason: string, message: string): void;
  normal(object: EventObject, reason: string, message: string): void;
}

export interface KubeEventRecorderOptions {
  client: Pick<KubeClient, 'create'>;
  /** `source.component` of every Event. */
  component: string;
  /** Holds Events back during a burst of claims. @default BurstGate.open() */
  burstGate?: BurstGate;
  /** Told about each Event that could not be written. @default ignore */
  onError?: (err: unknown) => void;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly pending: CoreEvent[] = [];
  private readonly burstGate: BurstGate;

  constructor(private readonly options: KubeEventRecorderOptions) {
    this.burstGate = options.burstGate ?? BurstGate.open();
  }

  warning(object: EventObject, reason: string, message: string): void {
    this.record(object, 'Warning', reason, message);
  }

  normal(object: EventObject, reason: string, message: string): void {
    this.record(object, 'Normal', reason, message);
  }

  private record(object: EventObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const meta = object.metadata ?? {};
    const now = new Date().toISOString();
    this.pending.push({
      apiVersion: 'v1', kind: 'Event',
      metadata: { generateName: `${meta.name}.`, namespace: meta.namespace },
      involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion },
      type, reason, message,
      source: { component: this.options.component },
      firstTimestamp: now, lastTimestamp: now, count: 1,
    });
    this.flushWhenQuiet();
  }

  /** Sends every queued Event now, whatever the burst; resolves when each write has succeeded or failed. */
  async flush(): Promise<void> {
    await Promise.all(this.pending.splice(0).map((event) => this.options.client.create(Resources.events, event).catch((err) => this.options.onError?.(err))));
  }

  private flushWhenQuiet(): void {
    if (this.pending.length === 0 || this.burstGate.holds(`events:${this.options.component}`, () => this.flushWhenQuiet())) return;
    void this.flush();
  }
}
