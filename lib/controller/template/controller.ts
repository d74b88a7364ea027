// Wiring of the SandboxTemplate controller (with --extensions): templates and NetworkPolicies into one work queue,
// `--sandbox-template-concurrent-workers` workers.
import type { SandboxTemplate } from '../../api/types';
import { SANDBOX_TEMPLATE } from '../../api/groups';
import { Resources } from '../../kube/resources';
import type { ControllerModule } from '../module';
import { TemplateReconciler, type CachedNetworkPolicy } from './reconciler';

export const templateControllerModule: ControllerModule = {
  name: 'sandboxtemplate',
  enabled: (settings) => settings.extensions,
  setup({ manager, settings }) {
    const templates = manager.informer<SandboxTemplate>(Resources.sandboxTemplates);
    const networkPolicies = manager.informer<CachedNetworkPolicy>(Resources.networkPolicies);
    const events = manager.eventRecorder('sandboxtemplate-controller');
    const controller = manager.controller({
      name: 'sandboxtemplate',
      reconciler: new TemplateReconciler({ client: manager.client, templates, networkPolicies, events }),
      workers: settings.template.workers,
    });
    templates.addEventHandler(controller.enqueueSelf());
    networkPolicies.addEventHandler(controller.enqueueOwner(SANDBOX_TEMPLATE));
  },
};
