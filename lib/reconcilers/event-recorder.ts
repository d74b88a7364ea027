// Kubernetes Events about our objects (core/v1 Events, reportingController `sandbox-controller`). Best effort: a
// failed event write is logged by the caller's logger, never fails a reconcile.
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { KubeClient } from '../kube/client';
import { Resources } from '../kube/resources';

type EventObject = { apiVersion: string; kind: string; metadata?: ObjectMeta };

export interface EventRecorder {
  warning(object: EventObject, reason: string, message: string): void;
  normal(object: EventObject, reason: string, message: string): void;
}

export class KubeEventRecorder implements EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  warning(object: EventObject, reason: string, message: string): void {
    this.record(object, 'Warning', reason, message);
  }

  normal(object: EventObject, reason: string, message: string): void {
    this.record(object, 'Normal', reason, message);
  }

  private record(object: EventObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const meta = object.metadata ?? {};
    const now = new Date().toISOString();
    const event = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { generateName: `${meta.name}.`, namespace: meta.namespace },
      involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion },
      type, reason, message,
      source: { component: this.component },
      firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    this.client.create(Resources.events, event).catch(this.onError);
  }
}
