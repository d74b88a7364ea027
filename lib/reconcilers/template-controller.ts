// Wiring of the SandboxTemplate controller (with --extensions): templates and NetworkPolicies into one work queue,
// `--sandbox-template-concurrent-workers` workers.
import type { ControllerModule } from '../controller/controllers';
import type { SandboxTemplate } from '../api/types';
import { SANDBOX_TEMPLATE } from '../api/groups';
import { Resources } from '../kube/resources';
import { TemplateReconciler, type CachedNetworkPolicy } from './template-reconciler';

export const templateControllerModule: ControllerModule = {
  name: 'sandboxtemplate',
  enabled: (config) => config.extensions,
  setup(manager, config) {
    const templates = manager.informer<SandboxTemplate>(Resources.sandboxTemplates);
    const networkPolicies = manager.informer<CachedNetworkPolicy>(Resources.networkPolicies);
    const events = manager.eventRecorder('sandboxtemplate-controller');
    const controller = manager.controller({
      name: 'sandboxtemplate',
      reconciler: new TemplateReconciler({ client: manager.client, templates, networkPolicies, events }),
      workers: config.sandboxTemplateConcurrentWorkers,
    });
    templates.addEventHandler(controller.enqueueSelf());
    networkPolicies.addEventHandler(controller.enqueueOwner(SANDBOX_TEMPLATE.kind));
  },
};
