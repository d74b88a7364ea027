// SandboxTemplate reconciler: labels the template with its ref hash and keeps the shared per-template NetworkPolicy
// in line with `networkPolicyManagement` (Managed: create/repair; Unmanaged: delete ours). The template's Ready
// condition says whether that policy is in place; pools and claims build nothing from the template until it is
// (shared/network-policy-gate.ts). A refused policy (the API server's message) or a same-named NetworkPolicy the
// template does not control (never touched) makes Ready False with a Warning event, and the pass is retried.
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import { CONDITION, LABEL, TEMPLATE_REASON, nameHash, type SandboxTemplate } from '../../api';
import type { CacheReader } from '../../kube/store';
import { Resources, isConflict, isNotFound, splitKey, type KubeClient, type KubeObject } from '../../kube';
import { semanticEqual } from '../shared/blueprint';
import type { ReconcileResult } from '../../controller-runtime/controller';
import type { EventRecorder } from '../../controller-runtime/event-recorder';
import { templateOwner } from '../shared/extension-owners';
import { isControlledBy } from '../shared/ownership';
import { findCondition, setCondition, type ConditionInput } from '../shared/condition-list';
import { ReadYourWrites } from '../../controller-runtime/read-your-writes';
import { desiredNetworkPolicy, networkPolicyName } from './network-policy';

export type CachedNetworkPolicy = NetworkPolicy & KubeObject;

export interface TemplateReconcilerDeps {
  client: Pick<KubeClient, 'getOrUndefined' | 'create' | 'update' | 'mergePatch' | 'delete'>;
  templates: CacheReader<SandboxTemplate>;
  networkPolicies: CacheReader<CachedNetworkPolicy>;
  events: EventRecorder;
}

function ready(template: SandboxTemplate, reason: string, message: string): PolicyOutcome {
  return { type: CONDITION.ready, status: 'True', reason, message, observedGeneration: template.metadata.generation };
}

function notReady(template: SandboxTemplate, reason: string, message: string): PolicyOutcome {
  return { type: CONDITION.ready, status: 'False', reason, message, observedGeneration: template.metadata.generation };
}

/** What the last pass made of the template's NetworkPolicy; becomes the template's Ready condition. */
type PolicyOutcome = ConditionInput & { error?: unknown };

export class TemplateReconciler {
  /** Templates as our label and status writes returned them, so a pass on a lagging cache does not write them again. */
  private readonly templates: ReadYourWrites<SandboxTemplate>;

  constructor(private readonly deps: TemplateReconcilerDeps) {
    this.templates = new ReadYourWrites(deps.templates);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.templates.get(namespace, name);
    if (!cached || cached.metadata.deletionTimestamp) return {}; // the NetworkPolicy goes with it (owner reference)
    const template = await this.ensureRefHashLabel(cached);
    let outcome: PolicyOutcome;
    try {
      outcome = await this.syncPolicy(template);
    } catch (err) {
      outcome = this.failed(template, err);
    }
    await this.writeReady(template, outcome);
    if (outcome.error) throw outcome.error;
    return {};
  }

  private async syncPolicy(template: SandboxTemplate): Promise<PolicyOutcome> {
    const namespace = template.metadata.namespace!;
    const name = template.metadata.name!;
    const cached = this.deps.networkPolicies.get(namespace, networkPolicyName(name));
    if ((template.spec.networkPolicyManagement ?? 'Managed') === 'Unmanaged') {
      if (cached && isControlledBy(cached.metadata, templateOwner(template))) await this.deleteOwned(cached);
      return ready(template, TEMPLATE_REASON.networkPolicyUnmanaged, 'networkPolicyManagement is Unmanaged: the controller keeps no NetworkPolicy for this template');
    }
    const desired = desiredNetworkPolicy(template);
    const inPlace = ready(template, TEMPLATE_REASON.networkPolicyReady, `NetworkPolicy ${namespace}/${desired.metadata.name} is in place`);
    // The cache shows our own create a watch round-trip late, and the ref-hash label patch above re-queues the
    // template before that: a policy missing from the cache is looked up live before it is created (a read, once per
    // template), instead of a create failing with AlreadyExists.
    const existing = cached ?? await this.deps.client.getOrUndefined<CachedNetworkPolicy>(Resources.networkPolicies, namespace, desired.metadata.name);
    if (!existing) {
      await this.deps.client.create(Resources.networkPolicies, desired);
      return inPlace;
    }
    if (!isControlledBy(existing.metadata, templateOwner(template))) {
      const message = `refusing to update NetworkPolicy ${namespace}/${desired.metadata.name}: it is not controlled by SandboxTemplate ${namespace}/${name}; delete or rename it`;
      return { ...notReady(template, TEMPLATE_REASON.networkPolicyConflict, message), error: new Error(message) };
    }
    if (semanticEqual(existing.spec, desired.spec)) return inPlace;
    // Full update from the cached object. A concurrent change makes it 409: that change's watch event re-queues the
    // template, and that pass starts from the newer version, so a conflict is not a failed pass.
    try {
      await this.deps.client.update(Resources.networkPolicies, { ...existing, spec: desired.spec });
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    return inPlace;
  }

  /** A refused create or update: the API server's own message goes on the template, and the pass is retried. */
  private failed(template: SandboxTemplate, err: unknown): PolicyOutcome {
    const policy = `${template.metadata.namespace}/${networkPolicyName(template.metadata.name!)}`;
    const why = err instanceof Error ? err.message : String(err);
    return { ...notReady(template, TEMPLATE_REASON.networkPolicyFailed, `NetworkPolicy ${policy} could not be written: ${why}`), error: err };
  }

  /**
   * Sets the Ready condition when it changed, with a Warning event for each new failure (not for every retry of the
   * same one). A failed status write does not hide the pass's own error.
   */
  private async writeReady(template: SandboxTemplate, outcome: PolicyOutcome): Promise<void> {
    const { error, ...input } = outcome;
    const current = findCondition(template.status?.conditions, CONDITION.ready);
    if (current && current.status === input.status && current.reason === input.reason && current.message === input.message
      && current.observedGeneration === input.observedGeneration) return;
    if (input.status === 'False' && (current?.reason !== input.reason || current.message !== input.message)) {
      this.deps.events.warning(templateOwner(template), input.reason, input.message!);
    }
    const conditions = setCondition(template.status?.conditions, input, new Date());
    const { namespace, name } = template.metadata;
    try {
      await this.templates.write(namespace!, name!, () => this.deps.client.mergePatch<SandboxTemplate>(
        Resources.sandboxTemplates, namespace!, name!, { status: { conditions } }, { subresource: 'status' }));
    } catch (err) {
      if (error === undefined && !isNotFound(err)) throw err;
    }
  }

  /** The template with its ref-hash label, as the API server returned it when the label had to be added. */
  private async ensureRefHashLabel(template: SandboxTemplate): Promise<SandboxTemplate> {
    const hash = nameHash(template.metadata.name!);
    if (template.metadata.labels?.[LABEL.templateRefHash] === hash) return template;
    const { namespace, name } = template.metadata;
    return this.templates.write(namespace!, name!, () => this.deps.client.mergePatch<SandboxTemplate>(
      Resources.sandboxTemplates, namespace!, name!, { metadata: { labels: { [LABEL.templateRefHash]: hash } } }));
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
