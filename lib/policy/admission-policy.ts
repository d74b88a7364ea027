// Synthesizes the guardrails as a ValidatingAdmissionPolicy + binding per team namespace, so the API server
// enforces the same rules on objects created by anyone (kubectl, SDKs, other tools), not only on our output.
// Exemptions are baked in per (kind, name) at synth time: writing the annotation in the cluster grants nothing.

import type { RuleId } from './rule-ids';
import type { NamedRuleWithOperations, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, Validation } from 'kubernetes-types/admissionregistration/v1';
import { CORE_GROUP, EXTENSIONS_GROUP, SANDBOX, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL } from '../api';
import type { Built } from '../builders/manifest';
import { celList, celString } from './cel';
import { readExemptions } from './exemptions';
import { GuardrailPolicy, resolvePolicy } from './profiles';
import type { PlainObject } from './engine';
import { RULES, type Rule } from './rules';

export interface AdmissionPolicyOptions {
  /** The namespace the policy is bound to. */
  readonly namespace: string;
  readonly policy?: GuardrailPolicy;
  /** Objects whose recorded exemptions the cluster should honour (e.g. the team's templates). */
  readonly exemptObjects?: readonly PlainObject[];
  /**
   * Username of the controller's service account. Objects it derives from already-admitted templates
   * (warm-pool members, cold claims) are skipped; it cannot add exemptions of its own.
   */
  readonly controllerUsername: string;
}

// kubernetes-types omits the fields NamedRuleWithOperations inlines from RuleWithOperations.
type ResourceRule = NamedRuleWithOperations & { resources: string[] };

/** Admission rules with their resources, typed as kubernetes-types spells the field that holds them. */
export const resourceRules = (rules: ResourceRule[]): NamedRuleWithOperations[] => rules;

// A request to a warm pool's scale subresource (kubectl scale, autoscalers) carries an autoscaling/v1 Scale named
// after the pool, whose spec.replicas is the pool's: the warm-pool rules judge it as they judge the pool.
const SCALE_KIND = 'Scale';
const KINDS_BY_TARGET: Record<Rule['target'], readonly string[]> = {
  pod: [SANDBOX.kind, SANDBOX_TEMPLATE.kind],
  warmPool: [SANDBOX_WARM_POOL.kind, SCALE_KIND],
};

/** The kinds under which the admission request for `kind` may arrive. */
const requestKinds = (kind: string) => (kind === SANDBOX_WARM_POOL.kind ? KINDS_BY_TARGET.warmPool : [kind]);

const kindIsOneOf = (kinds: readonly string[]) => (kinds.length === 1 ? `object.kind == ${celString(kinds[0])}` : `object.kind in ${celList(kinds)}`);

function exemptionGuard(ruleId: RuleId, objects: readonly PlainObject[]): string | undefined {
  const exempt = objects.filter((o) => readExemptions(o.metadata?.annotations)[ruleId] !== undefined);
  if (exempt.length === 0) return undefined;
  return exempt.map((o) => `(${kindIsOneOf(requestKinds(o.kind ?? ''))} && object.metadata.name == ${celString(o.metadata?.name ?? '')})`).join(' || ');
}

/**
 * CEL for a denial: the rule id and summary users grep and exempt by, then what the engine would report (which
 * container, volume, image or value). Only evaluated once the rule has failed, so the findings are never empty.
 */
const denialMessage = (message: string, findings: string) => `${celString(`${message}: `)} + (${findings}).join('; ')`;

export const admissionPolicyName = (namespace: string) => `agent-sandbox-guardrails-${namespace}`;

/** The policy and its binding, in that order. */
export function buildAdmissionPolicy(options: AdmissionPolicyOptions): [Built<ValidatingAdmissionPolicy>, Built<ValidatingAdmissionPolicyBinding>] {
  const policy = resolvePolicy(options.policy);
  const name = admissionPolicyName(options.namespace);
  const exemptObjects = options.exemptObjects ?? [];
  const validations: Validation[] = [];
  for (const rule of RULES.filter((r) => policy.rules.includes(r.id))) {
    const check = rule.cel(policy);
    if (check === undefined) continue;
    const doesNotApply = `!(${kindIsOneOf(KINDS_BY_TARGET[rule.target])})`;
    const guards = [doesNotApply, exemptionGuard(rule.id, exemptObjects)].filter((g) => g !== undefined);
    const message = `[rule ${rule.id}] ${rule.summary}`;
    // The static message stays as the API server's fallback should the detailed one fail to evaluate.
    validations.push({ expression: `${guards.join(' || ')} || (${check})`, message, messageExpression: denialMessage(message, rule.celFindings(policy)), reason: 'Forbidden' });
  }
  const vap: Built<ValidatingAdmissionPolicy> = {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'agent-sandbox' } },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: resourceRules([
          { apiGroups: [CORE_GROUP], apiVersions: [SANDBOX.version], operations: ['CREATE', 'UPDATE'], resources: [SANDBOX.plural] },
          { apiGroups: [EXTENSIONS_GROUP], apiVersions: [SANDBOX_TEMPLATE.version], operations: ['CREATE', 'UPDATE'], resources: [SANDBOX_TEMPLATE.plural, SANDBOX_WARM_POOL.plural, `${SANDBOX_WARM_POOL.plural}/scale`] },
        ]),
      },
      matchConditions: [{ name: 'not-the-controller', expression: `request.userInfo.username != ${celString(options.controllerUsername)}` }],
      variables: [
        // Only dereferenced for Sandbox/SandboxTemplate (guarded by the kind check in each validation; a Scale has no pod).
        { name: 'podSpec', expression: 'object.spec.podTemplate.spec' },
        // Every kind of container: an image or setting checked on one kind only could come in through another.
        {
          name: 'containers',
          expression: 'variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])'
            + ' + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])',
        },
      ],
      validations,
    },
  };
  const binding: Built<ValidatingAdmissionPolicyBinding> = {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'agent-sandbox' } },
    spec: {
      policyName: name,
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': options.namespace } } },
    },
  };
  return [vap, binding];
}
