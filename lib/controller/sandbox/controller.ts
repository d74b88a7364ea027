// Wiring of the Sandbox controller into the manager: informers (Sandboxes; Pods, Services and PVCs that carry the
// name-hash label, optionally filtered server-side by --cache-label-selectors), the Pod index, event handlers
// mapping Pods/Services/PVCs to their controlling Sandbox, the reconciler and its metrics.
import type { PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1';
import { SANDBOX } from '../../api/groups';
import { LABEL } from '../../api/metadata-keys';
import type { Sandbox } from '../../api/types';
import type { EventHandlers } from '../../kube/informer';
import { Resources } from '../../kube/resources';
import type { KubeObject } from '../../kube/types';
import type { ControllerModule } from '../module';
import { sandboxChildScope, slimPod, slimPvc } from '../shared/child-caches';
import { POD_NAME_HASH_INDEX, podNameHashIndex } from './caches';
import { sandboxGaugeLabels } from './gauge-labels';
import { SandboxReconciler } from './reconciler';

/** `source.component` of the Sandbox controller's Events. */
const EVENT_SOURCE = 'sandbox-controller';

/** Only objects carrying the name-hash label can belong to a Sandbox (upstream's Owns() predicate). */
function withNameHash<T extends KubeObject>(handlers: EventHandlers<T>): EventHandlers<T> {
  const has = (obj: T) => obj.metadata?.labels?.[LABEL.sandboxNameHash] !== undefined;
  return {
    onAdd: (obj) => { if (has(obj)) handlers.onAdd?.(obj); },
    onUpdate: (oldObj, newObj) => { if (has(oldObj) || has(newObj)) handlers.onUpdate?.(oldObj, newObj); },
    onDelete: (obj) => { if (has(obj)) handlers.onDelete?.(obj); },
  };
}

export const sandboxControllerModule: ControllerModule = {
  name: 'sandbox',
  enabled: () => true,
  setup({ manager, settings, metrics }) {
    const scope = sandboxChildScope(settings);
    const sandboxes = manager.informer<Sandbox>(Resources.sandboxes);
    const pods = manager.informer<Pod>(Resources.pods, { ...scope, indexers: { [POD_NAME_HASH_INDEX]: podNameHashIndex }, transform: slimPod });
    const services = manager.informer<Service>(Resources.services, scope);
    const pvcs = manager.informer<PersistentVolumeClaim>(Resources.persistentVolumeClaims, { ...scope, transform: slimPvc });
    let requeue: (key: string) => void = () => undefined;
    const reconciler = new SandboxReconciler({
      requeue: (key) => requeue(key),
      lifecycleMetrics: {
        actionFinished: (result, seconds) => metrics.actionDuration.observe({ result }, seconds),
        suspended: (reason) => metrics.suspends.inc({ reason }),
      },
      client: manager.client, caches: { sandboxes, pods, services, pvcs }, events: manager.eventRecorder(EVENT_SOURCE),
      clusterDomain: settings.sandbox.clusterDomain, statusCoalesceWindowMs: settings.sandbox.statusCoalesceWindowMs,
      onReady: (sandbox, at) => {
        const labels = sandboxGaugeLabels(sandbox);
        const created = Date.parse(sandbox.metadata.creationTimestamp ?? '');
        if (!Number.isNaN(created)) {
          metrics.sandboxCreationLatency.observe(
            { namespace: labels.namespace, launch_type: labels.launch_type, sandbox_template: labels.sandbox_template }, at - created);
        }
      },
    });
    const controller = manager.controller({ name: 'sandbox', reconciler, workers: settings.sandbox.workers });
    requeue = (key) => controller.enqueue(key);
    sandboxes.addEventHandler(controller.enqueueSelf());
    pods.addEventHandler(withNameHash(controller.enqueueOwner<Pod>(SANDBOX)));
    sandboxes.addEventHandler({ onDelete: (sandbox) => reconciler.observeDeletedSandbox(sandbox) });
    pods.addEventHandler({ onDelete: (pod) => reconciler.observeDeletedPod(pod) });
    services.addEventHandler(withNameHash(controller.enqueueOwner<Service>(SANDBOX)));
    pvcs.addEventHandler(withNameHash(controller.enqueueOwner<PersistentVolumeClaim>(SANDBOX)));
    metrics.setSandboxesSource(() => sandboxes.list().map(sandboxGaugeLabels));
    metrics.setModesSource(() => sandboxes.list().map((s) => (s.spec.operatingMode === 'Suspended' ? 'suspended' : 'running')));
  },
};
