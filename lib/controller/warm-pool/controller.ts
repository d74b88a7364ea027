// Wiring of the SandboxWarmPool controller (with --extensions): pools, their templates (via a template-ref index),
// member Sandboxes (via a pool-label index, feeding create/delete expectations before enqueueing the owning pool) and
// Pods (to tell unschedulable members from stuck ones). `--sandbox-warm-pool-concurrent-workers` workers.
import type { Pod } from 'kubernetes-types/core/v1';
import type { ControllerModule } from '../module';
import type { EventHandlers } from '../../kube/informer';
import type { Sandbox, SandboxTemplate, SandboxWarmPool } from '../../api/types';
import { Resources } from '../../kube/resources';
import { objectKey, type KubeObject } from '../../kube/types';
import { sandboxChildScope, slimPod } from '../shared/child-caches';
import { Expectations } from '../../controller-runtime/expectations';
import { WARM_POOL_MEMBER_INDEX, owningPoolKey, warmPoolMemberIndex } from './member';
import { WarmPoolReconciler } from './reconciler';

/** Pool index: `namespace/<sandboxTemplateRef.name>`. */
export const POOL_TEMPLATE_INDEX = 'sandboxTemplateRef';

/**
 * Sandbox handlers: record what the watch shows (a member appeared → one expected creation done; a member is gone or
 * going → its expected deletion done) and enqueue every pool that had or has the Sandbox as a member (an adoption
 * moves a member out of its pool: the old owner must refill).
 */
export function memberEventHandlers(expectations: Expectations, enqueue: (poolKey: string) => void): EventHandlers<Sandbox> {
  const deletionSeen = (s: Sandbox) => {
    const key = owningPoolKey(s);
    if (key) expectations.deletionObserved(key, s.metadata.uid!);
  };
  return {
    onAdd(s) {
      const key = owningPoolKey(s);
      if (!key) return;
      expectations.creationObserved(key);
      enqueue(key);
    },
    onUpdate(old, s) {
      if (s.metadata.deletionTimestamp) deletionSeen(s);
      const keys = new Set([owningPoolKey(old), owningPoolKey(s)]);
      for (const key of keys) if (key) enqueue(key);
    },
    onDelete(s) {
      deletionSeen(s);
      const key = owningPoolKey(s);
      if (key) enqueue(key);
    },
  };
}

export const warmPoolControllerModule: ControllerModule = {
  name: 'sandboxwarmpool',
  enabled: (settings) => settings.extensions,
  setup({ manager, settings }) {
    const log = manager.logger.child({ controller: 'sandboxwarmpool' });
    const pools = manager.informer<SandboxWarmPool>(Resources.sandboxWarmPools, {
      indexers: { [POOL_TEMPLATE_INDEX]: (p) => [`${p.metadata.namespace}/${p.spec.sandboxTemplateRef.name}`] },
    });
    const templates = manager.informer<SandboxTemplate>(Resources.sandboxTemplates);
    const sandboxes = manager.informer<Sandbox>(Resources.sandboxes, { indexers: { [WARM_POOL_MEMBER_INDEX]: warmPoolMemberIndex } });
    const pods = manager.informer<Pod & KubeObject>(Resources.pods, { ...sandboxChildScope(settings), transform: slimPod });
    const expectations = new Expectations();
    const events = manager.eventRecorder('sandboxwarmpool-controller');
    const controller = manager.controller({
      name: 'sandboxwarmpool',
      reconciler: new WarmPoolReconciler({
        client: manager.client, pools, templates, sandboxes, pods, events, expectations, settings: settings.warmPool, log,
      }),
      workers: settings.warmPool.workers,
    });
    pools.addEventHandler(controller.enqueueSelf());
    templates.addEventHandler(controller.enqueueMapped((t) => pools.byIndex(POOL_TEMPLATE_INDEX, objectKey(t)).map(objectKey)));
    sandboxes.addEventHandler(memberEventHandlers(expectations, (key) => controller.enqueue(key)));
  },
};
