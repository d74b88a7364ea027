// Fixtures for the per-rule admission tests: a compliant pod spec, and for every guardrail rule the ways to break
// it (each breaks that rule and no other). Keyed by RuleId, so adding a rule to lib/policy without fixtures here
// fails type checking; the test also checks each fixture's target against the rule at run time.
import type { PodSpec } from 'kubernetes-types/core/v1';
import { RULE, type GuardrailPolicy, type RuleId } from '../../../lib/policy';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../../lib/builders/secure-defaults';

/** Settings that switch every rule on (rules without their setting emit no validation). */
export const POLICY = { allowedRegistries: ['registry.example/agents'], maxWarmPoolReplicas: 3 } satisfies GuardrailPolicy;

/** A pod spec every rule of the restricted profile admits. */
export function compliantPodSpec(): PodSpec {
  return {
    runtimeClassName: 'gvisor',
    automountServiceAccountToken: false,
    securityContext: restrictedPodSecurityContext(),
    containers: [{
      name: 'agent',
      image: 'registry.example/agents/python:3.12',
      securityContext: restrictedContainerSecurityContext(),
      resources: { limits: { cpu: '1', memory: '1Gi' } },
    }],
  };
}

/** Other shapes the rules must admit: settings only on the container, Localhost seccomp, an init container, volumes. */
export const COMPLIANT_POD_SPECS: Record<string, () => PodSpec> = {
  'restricted defaults': compliantPodSpec,
  'settings on the container only, Localhost seccomp': () => {
    const spec = compliantPodSpec();
    delete spec.securityContext;
    spec.containers[0].securityContext = {
      ...restrictedContainerSecurityContext(), runAsUser: 1000, seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/agent.json' },
    };
    return spec;
  },
  'an init container and an emptyDir volume': () => {
    const spec = compliantPodSpec();
    spec.initContainers = [{ ...spec.containers[0], name: 'setup' }];
    spec.volumes = [{ name: 'scratch', emptyDir: {} }];
    return spec;
  },
};

export type RuleViolation =
  | { readonly what: string; readonly podSpec: (spec: PodSpec) => void }
  | { readonly what: string; readonly warmPoolReplicas: number };

const container = (spec: PodSpec) => spec.containers[0];
const containerSecurity = (spec: PodSpec) => container(spec).securityContext!;
const withInitContainer = (spec: PodSpec) => {
  spec.initContainers = [{ ...structuredClone(container(spec)), name: 'setup' }];
  return spec.initContainers[0];
};

export const VIOLATIONS: Record<RuleId, readonly RuleViolation[]> = {
  [RULE.runAsNonRoot]: [
    { what: 'container runAsNonRoot: false overrides the pod', podSpec: (s) => { containerSecurity(s).runAsNonRoot = false; } },
    { what: 'runAsNonRoot set nowhere', podSpec: (s) => { delete containerSecurity(s).runAsNonRoot; delete s.securityContext!.runAsNonRoot; } },
    { what: 'container runAsUser 0', podSpec: (s) => { containerSecurity(s).runAsUser = 0; } },
    { what: 'pod runAsUser 0 inherited', podSpec: (s) => { s.securityContext!.runAsUser = 0; } },
  ],
  [RULE.noPrivilegeEscalation]: [
    { what: 'allowPrivilegeEscalation: true', podSpec: (s) => { containerSecurity(s).allowPrivilegeEscalation = true; } },
    { what: 'allowPrivilegeEscalation unset on an init container', podSpec: (s) => { delete withInitContainer(s).securityContext!.allowPrivilegeEscalation; } },
  ],
  [RULE.dropAllCapabilities]: [
    { what: 'drops NET_RAW only', podSpec: (s) => { containerSecurity(s).capabilities = { drop: ['NET_RAW'] }; } },
    { what: 'no capabilities stanza', podSpec: (s) => { delete containerSecurity(s).capabilities; } },
  ],
  [RULE.noAddedCapabilities]: [
    { what: 'adds NET_ADMIN', podSpec: (s) => { containerSecurity(s).capabilities!.add = ['NET_ADMIN']; } },
  ],
  [RULE.noPrivileged]: [
    { what: 'privileged: true', podSpec: (s) => { containerSecurity(s).privileged = true; } },
  ],
  [RULE.seccompProfile]: [
    { what: 'container Unconfined overrides the pod', podSpec: (s) => { containerSecurity(s).seccompProfile = { type: 'Unconfined' }; } },
    { what: 'no profile anywhere', podSpec: (s) => { delete containerSecurity(s).seccompProfile; delete s.securityContext!.seccompProfile; } },
  ],
  [RULE.runtimeClass]: [
    { what: 'runtimeClassName unset', podSpec: (s) => { delete s.runtimeClassName; } },
    { what: 'runtimeClassName runc', podSpec: (s) => { s.runtimeClassName = 'runc'; } },
  ],
  [RULE.resourceLimits]: [
    { what: 'no memory limit', podSpec: (s) => { container(s).resources = { limits: { cpu: '1' } }; } },
    { what: 'requests only', podSpec: (s) => { container(s).resources = { requests: { cpu: '1', memory: '1Gi' } }; } },
  ],
  [RULE.noHostPath]: [
    { what: 'a hostPath volume', podSpec: (s) => { s.volumes = [{ name: 'scratch', emptyDir: {} }, { name: 'host', hostPath: { path: '/var/run' } }]; } },
  ],
  [RULE.noHostNamespaces]: [
    { what: 'hostNetwork', podSpec: (s) => { s.hostNetwork = true; } },
    { what: 'hostPID', podSpec: (s) => { s.hostPID = true; } },
    { what: 'hostIPC', podSpec: (s) => { s.hostIPC = true; } },
  ],
  [RULE.noServiceAccountToken]: [
    { what: 'automountServiceAccountToken: true', podSpec: (s) => { s.automountServiceAccountToken = true; } },
    { what: 'automountServiceAccountToken unset', podSpec: (s) => { delete s.automountServiceAccountToken; } },
  ],
  [RULE.allowedRegistries]: [
    { what: 'an image from docker.io', podSpec: (s) => { container(s).image = 'docker.io/library/python:3.12'; } },
    { what: 'a look-alike path prefix', podSpec: (s) => { container(s).image = 'registry.example/agents-evil/python:3.12'; } },
    { what: 'an init container from another registry', podSpec: (s) => { withInitContainer(s).image = 'ghcr.io/other/setup:1'; } },
  ],
  [RULE.warmPoolMaxReplicas]: [
    { what: 'one above the maximum', warmPoolReplicas: POLICY.maxWarmPoolReplicas + 1 },
  ],
};
