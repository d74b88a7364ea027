// The guardrails as a CrossGuard resource policy: the same engine (lib/policy) the components run, applied
// to every Kubernetes resource of any stack, including ones written by hand without our components.

import type { ResourceValidationArgs, ResourceValidationPolicy } from '@pulumi/policy';
import { checkObject, formatViolation, type GuardrailPolicy, type PlainObject } from '../../policy';

/** `kubernetes:apps/v1:Deployment` -> apiVersion `apps/v1`, kind `Deployment` (`core/v1` is plain `v1`). */
export function objectOf(args: Pick<ResourceValidationArgs, 'type' | 'props'>): PlainObject | undefined {
  const match = /^kubernetes:([^:]+):([^:]+)$/.exec(args.type);
  if (!match) return undefined;
  const apiVersion = match[1] === 'core/v1' ? 'v1' : match[1];
  return { apiVersion, kind: match[2], metadata: args.props.metadata, spec: args.props.spec };
}

export const guardrailPolicy: ResourceValidationPolicy = {
  name: 'agent-sandbox-guardrails',
  description: 'Sandbox pod specs and warm pools follow the agent-sandbox-kit guardrails (lib/policy).',
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: {
      profile: { type: 'string', enum: ['restricted', 'baseline'] },
      allowedRuntimeClasses: { type: 'array', items: { type: 'string' } },
      allowedRegistries: { type: 'array', items: { type: 'string' } },
      maxWarmPoolReplicas: { type: 'integer', minimum: 0 },
    },
  },
  validateResource: (args, reportViolation) => {
    const obj = objectOf(args);
    if (!obj) return;
    for (const v of checkObject(obj, args.getConfig<GuardrailPolicy>())) {
      reportViolation(formatViolation(v));
    }
  },
};
