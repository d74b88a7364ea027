// Stable identifiers of the guardrail rules: they appear in violation messages, exemption annotations and
// ValidatingAdmissionPolicy messages, so users can grep for them and exempt them by name.

export const RULE = {
  runAsNonRoot: 'run-as-non-root',
  noPrivilegeEscalation: 'no-privilege-escalation',
  dropAllCapabilities: 'drop-all-capabilities',
  noAddedCapabilities: 'no-added-capabilities',
  noPrivileged: 'no-privileged',
  seccompProfile: 'seccomp-profile',
  runtimeClass: 'runtime-class',
  resourceLimits: 'resource-limits',
  noHostPath: 'no-host-path',
  noHostNamespaces: 'no-host-namespaces',
  noServiceAccountToken: 'no-service-account-token',
  allowedRegistries: 'allowed-registries',
  warmPoolMaxReplicas: 'warm-pool-max-replicas',
} as const;

export type RuleId = (typeof RULE)[keyof typeof RULE];

export const ALL_RULE_IDS: readonly RuleId[] = Object.values(RULE);
