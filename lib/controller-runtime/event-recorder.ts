// Kubernetes Events about our objects (core/v1 Events). Best effort: a failed event write is logged, never fails a
// reconcile. No client waits on an Event, so they are background work: queued while the process's WorkGate holds
// them (timestamped when they happened), sent when it wakes them; the manager flushes the queue on shutdown.
import type { Event as CoreEvent } from 'kubernetes-types/core/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { KubeClient } from '../kube/client';
import { Resources } from '../kube/resources';
import { openGate, type WorkGate } from './work-gate';

type EventObject = { apiVersion: string; kind: string; metadata?: ObjectMeta };

export interface EventRecorder {
  warning(object: EventObject, reason: string, message: string): void;
  normal(object: EventObject, reason: string, message: string): void;
}

/** Records nothing: for a controller whose Events are switched off, so reconcilers always have a recorder. */
export const noopEventRecorder: EventRecorder = { warning: () => undefined, normal: () => undefined };

export interface KubeEventRecorderOptions {
  client: Pick<KubeClient, 'create'>;
  /** `source.component` of every Event. */
  component: string;
  /** Holds Events back while foreground work runs. @default openGate */
  gate?: WorkGate;
  /** Told about each Event that could not be written. @default ignore */
  onError?: (err: unknown) => void;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly pending: CoreEvent[] = [];
  private readonly gate: WorkGate;

  constructor(private readonly options: KubeEventRecorderOptions) {
    this.gate = options.gate ?? openGate;
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
    if (this.pending.length === 0 || this.gate.holds(`events:${this.options.component}`, 'events', () => this.flushWhenQuiet())) return;
    void this.flush();
  }
}
