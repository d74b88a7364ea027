// SandboxTemplate reconciler: labels the template with its ref hash and keeps the shared per-template NetworkPolicy
// in line with `networkPolicyManagement` (Managed: create/repair; Unmanaged: delete ours). A same-named NetworkPolicy
// the template does not control is never touched: the reconcile fails with a message naming it, and a Warning event
// on the template says why.
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import { LABEL, nameHash, type SandboxTemplate } from '../../api';
import type { CacheReader } from '../../kube/store';
import { Resources, isConflict, isNotFound, splitKey, type KubeClient, type KubeObject } from '../../kube';
import { semanticEqual } from '../shared/blueprint';
import type { ReconcileResult } from '../../controller-runtime/controller';
import type { EventRecorder } from '../../controller-runtime/event-recorder';
import { templateOwner } from '../shared/extension-owners';
import { isControlledBy } from '../shared/ownership';
import { desiredNetworkPolicy, networkPolicyName } from './network-policy';

export type CachedNetworkPolicy = NetworkPolicy & KubeObject;

export interface TemplateReconcilerDeps {
  client: Pick<KubeClient, 'getOrUndefined' | 'create' | 'update' | 'mergePatch' | 'delete'>;
  templates: CacheReader<SandboxTemplate>;
  networkPolicies: CacheReader<CachedNetworkPolicy>;
  events: EventRecorder;
}

/** Reason of the Warning event when a foreign NetworkPolicy occupies the template's name. */
export const NETWORK_POLICY_CONFLICT = 'NetworkPolicyConflict';

export class TemplateReconciler {
  constructor(private readonly deps: TemplateReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    await this.sync(key);
    return {};
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const template = this.deps.templates.get(namespace, name);
    if (!template || template.metadata.deletionTimestamp) return; // the NetworkPolicy goes with it (owner reference)
    await this.ensureRefHashLabel(template);
    const cached = this.deps.networkPolicies.get(namespace, networkPolicyName(name));
    if ((template.spec.networkPolicyManagement ?? 'Managed') === 'Unmanaged') {
      if (cached && isControlledBy(cached.metadata, templateOwner(template))) await this.deleteOwned(cached);
      return;
    }
    const desired = desiredNetworkPolicy(template);
    // The cache shows our own create a watch round-trip late, and the ref-hash label patch above re-queues the
    // template before that: a policy missing from the cache is looked up live before it is created (a read, once per
    // template), instead of a create failing with AlreadyExists.
    const existing = cached ?? await this.deps.client.getOrUndefined<CachedNetworkPolicy>(Resources.networkPolicies, namespace, desired.metadata.name);
    if (!existing) {
      await this.deps.client.create(Resources.networkPolicies, desired);
      return;
    }
    if (!isControlledBy(existing.metadata, templateOwner(template))) {
      const message = `refusing to update NetworkPolicy ${namespace}/${desired.metadata.name}: it is not controlled by SandboxTemplate ${namespace}/${name}; delete or rename it`;
      this.deps.events.warning(templateOwner(template), NETWORK_POLICY_CONFLICT, message);
      throw new Error(message);
    }
    if (semanticEqual(existing.spec, desired.spec)) return;
    // Full update from the cached object. A concurrent change makes it 409: that change's watch event re-queues the
    // template, and that pass starts from the newer version, so a conflict is not a failed pass.
    try {
      await this.deps.client.update(Resources.networkPolicies, { ...existing, spec: desired.spec });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }

  private async ensureRefHashLabel(template: SandboxTemplate): Promise<void> {
    const hash = nameHash(template.metadata.name!);
    if (template.metadata.labels?.[LABEL.templateRefHash] === hash) return;
    await this.deps.client.mergePatch(Resources.sandboxTemplates, template.metadata.namespace!, template.metadata.name!, { metadata: { labels: { [LABEL.templateRefHash]: hash } } });
  }

  private async deleteOwned(policy: CachedNetworkPolicy): Promise<void> {
    const { namespace, name, uid } = policy.metadata ?? {};
    try {
      await this.deps.client.delete(Resources.networkPolicies, namespace!, name!, { preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
