// Named guardrail profiles (which rules apply) and the policy a team or app configures on top of one.

import { RULE, RuleId } from './rule-ids';
import type { RuleSettings } from './rules';

export type ProfileName = 'restricted' | 'baseline';

/**
 * `restricted`: every rule (Pod Security "restricted" plus sandbox-specific rules).
 * `baseline`: only what prevents host access and privilege (Pod Security "baseline"-like), plus runtime class.
 */
export const PROFILES: Record<ProfileName, readonly RuleId[]> = {
  restricted: Object.values(RULE),
  baseline: [RULE.noPrivileged, RULE.noAddedCapabilities, RULE.noHostPath, RULE.noHostNamespaces, RULE.runtimeClass, RULE.warmPoolMaxReplicas, RULE.allowedRegistries],
};

/** The runtime classes the kit's presets create. */
export const DEFAULT_ALLOWED_RUNTIME_CLASSES: readonly string[] = ['gvisor', 'kata-qemu', 'kata-clh', 'kata-fc'];

export interface GuardrailPolicy {
  /** @default "restricted" */
  readonly profile?: ProfileName;
  /** @default ["gvisor", "kata-qemu", "kata-clh", "kata-fc"] */
  readonly allowedRuntimeClasses?: readonly string[];
  /** Image registries (or registry/path prefixes) images must come from. @default - any registry */
  readonly allowedRegistries?: readonly string[];
  /** Largest warm pool allowed. @default - unbounded */
  readonly maxWarmPoolReplicas?: number;
}

export interface ResolvedPolicy extends RuleSettings {
  readonly profile: ProfileName;
  readonly rules: readonly RuleId[];
}

export function policyProblems(policy: GuardrailPolicy): string[] {
  const problems: string[] = [];
  if (policy.profile !== undefined && !(policy.profile in PROFILES)) problems.push(`unknown guardrail profile "${policy.profile}" (known: ${Object.keys(PROFILES).join(', ')})`);
  if (policy.allowedRuntimeClasses !== undefined && policy.allowedRuntimeClasses.length === 0) problems.push('allowedRuntimeClasses must not be empty');
  if (policy.allowedRegistries !== undefined && policy.allowedRegistries.length === 0) problems.push('allowedRegistries must not be empty (leave it unset to allow any registry)');
  const max = policy.maxWarmPoolReplicas;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) problems.push(`maxWarmPoolReplicas must be an integer >= 0 (got ${max})`);
  return problems;
}

export function resolvePolicy(policy: GuardrailPolicy = {}): ResolvedPolicy {
  const problems = policyProblems(policy);
  if (problems.length > 0) throw new Error(`invalid guardrail policy: ${problems.join('; ')}`);
  const profile = policy.profile ?? 'restricted';
  return {
    profile,
    rules: PROFILES[profile],
    allowedRuntimeClasses: policy.allowedRuntimeClasses ?? DEFAULT_ALLOWED_RUNTIME_CLASSES,
    allowedRegistries: policy.allowedRegistries,
    maxWarmPoolReplicas: policy.maxWarmPoolReplicas,
  };
}
