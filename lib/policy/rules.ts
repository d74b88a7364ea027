// The guardrail rules. Each rule carries both its synth-time check (over a plain pod spec or warm pool)
// and the CEL expression that enforces the same condition in the cluster, side by side so they cannot
// drift apart. CEL expressions use the variables declared in admission-policy.ts.

import type { Container, PodSpec, SecurityContext } from 'kubernetes-types/core/v1';
import { celList } from './cel';
import { RULE, RuleId } from './rule-ids';

/** Settings some rules need. */
export interface RuleSettings {
  /** RuntimeClass names pod specs may use. */
  readonly allowedRuntimeClasses: readonly string[];
  /** Image prefixes (registry or registry/path) images must come from; unset means any registry. */
  readonly allowedRegistries?: readonly string[];
  /** Largest warm pool allowed; unset means unbounded. */
  readonly maxWarmPoolReplicas?: number;
}

/** One failed check, relative to the pod spec (pod rules) or the object (object rules). */
export interface Finding {
  readonly path: string;
  readonly message: string;
}

interface RuleBase {
  readonly id: RuleId;
  /** What the rule demands, shown in admission-policy denials. */
  readonly summary: string;
}

export interface PodRule extends RuleBase {
  readonly target: 'pod';
  readonly check: (spec: PodSpec, settings: RuleSettings) => Finding[];
  /** CEL over `variables.podSpec` and `variables.containers`; undefined when the settings switch the rule off. */
  readonly cel: (settings: RuleSettings) => string | undefined;
}

export interface WarmPoolRule extends RuleBase {
  readonly target: 'warmPool';
  readonly check: (spec: { replicas?: number }, settings: RuleSettings) => Finding[];
  /** CEL over `object` (a SandboxWarmPool, or the Scale of one); undefined when the settings switch the rule off. */
  readonly cel: (settings: RuleSettings) => string | undefined;
}

export type Rule = PodRule | WarmPoolRule;

interface IndexedContainer {
  readonly container: Container;
  readonly path: string;
}

function containersOf(spec: PodSpec): IndexedContainer[] {
  return [
    ...(spec.initContainers ?? []).map((container, i) => ({ container, path: `initContainers[${i}]` })),
    ...(spec.containers ?? []).map((container, i) => ({ container, path: `containers[${i}]` })),
  ];
}

/** A finding per container for which `ok` is false. */
function perContainer(spec: PodSpec, field: string, message: string, ok: (sc: SecurityContext | undefined, c: Container) => boolean): Finding[] {
  return containersOf(spec)
    .filter(({ container }) => !ok(container.securityContext, container))
    .map(({ path, container }) => ({ path: `${path}${field}`, message: `container "${container.name}" ${message}` }));
}

/** Normalises a registry entry to a prefix that cannot match a longer registry name ("ghcr.io" must not match "ghcr.io.evil.com"). */
export function registryPrefix(entry: string): string {
  return entry.endsWith('/') ? entry : `${entry}/`;
}

const SECURE_SECCOMP = ['RuntimeDefault', 'Localhost'];

export const RULES: readonly Rule[] = [
  {
    id: RULE.runAsNonRoot, target: 'pod',
    summary: 'containers must run as non-root (securityContext.runAsNonRoot: true and no securityContext.runAsUser: 0, on the container or the pod)',
    check: (spec) => [
      ...perContainer(spec, '.securityContext.runAsNonRoot', 'must set runAsNonRoot: true (or inherit it from the pod securityContext)',
        (sc) => (sc?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot) === true),
      ...perContainer(spec, '.securityContext.runAsUser', 'must not run as uid 0', (sc) => (sc?.runAsUser ?? spec.securityContext?.runAsUser) !== 0),
    ],
    cel: () => [
      'variables.containers.all(c, has(c.securityContext) && has(c.securityContext.runAsNonRoot) ? c.securityContext.runAsNonRoot : (has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsNonRoot) && variables.podSpec.securityContext.runAsNonRoot))',
      'variables.containers.all(c, has(c.securityContext) && has(c.securityContext.runAsUser) ? c.securityContext.runAsUser != 0 : !(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsUser) && variables.podSpec.securityContext.runAsUser == 0))',
    ].join(' && '),
  },
  {
    id: RULE.noPrivilegeEscalation, target: 'pod',
    summary: 'containers must set securityContext.allowPrivilegeEscalation: false',
    check: (spec) => perContainer(spec, '.securityContext.allowPrivilegeEscalation', 'must set allowPrivilegeEscalation: false', (sc) => sc?.allowPrivilegeEscalation === false),
    cel: () => 'variables.containers.all(c, has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false)',
  },
  {
    id: RULE.dropAllCapabilities, target: 'pod',
    summary: 'containers must drop ALL capabilities (securityContext.capabilities.drop)',
    check: (spec) => perContainer(spec, '.securityContext.capabilities.drop', 'must drop ALL capabilities', (sc) => (sc?.capabilities?.drop ?? []).includes('ALL')),
    cel: () => "variables.containers.all(c, has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop)",
  },
  {
    id: RULE.noAddedCapabilities, target: 'pod',
    summary: 'containers must not add capabilities (securityContext.capabilities.add)',
    check: (spec) => perContainer(spec, '.securityContext.capabilities.add', 'must not add capabilities', (sc) => (sc?.capabilities?.add ?? []).length === 0),
    cel: () => 'variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.capabilities) || !has(c.securityContext.capabilities.add) || size(c.securityContext.capabilities.add) == 0)',
  },
  {
    id: RULE.noPrivileged, target: 'pod',
    summary: 'containers must not be privileged (securityContext.privileged)',
    check: (spec) => perContainer(spec, '.securityContext.privileged', 'must not be privileged', (sc) => sc?.privileged !== true),
    cel: () => 'variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)',
  },
  {
    id: RULE.seccompProfile, target: 'pod',
    summary: 'containers must use the RuntimeDefault or a Localhost seccomp profile (securityContext.seccompProfile.type, on the container or the pod)',
    check: (spec) => perContainer(spec, '.securityContext.seccompProfile.type', 'must use seccomp profile RuntimeDefault or Localhost (on the container or the pod)',
      (sc) => SECURE_SECCOMP.includes(sc?.seccompProfile?.type ?? spec.securityContext?.seccompProfile?.type ?? '')),
    cel: () => `variables.containers.all(c, (has(c.securityContext) && has(c.securityContext.seccompProfile) ? c.securityContext.seccompProfile.type : (has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.seccompProfile) ? variables.podSpec.securityContext.seccompProfile.type : '')) in ${celList(SECURE_SECCOMP)})`,
  },
  {
    id: RULE.runtimeClass, target: 'pod',
    summary: 'pods must set runtimeClassName to an allowed sandbox runtime',
    check: (spec, s) => (spec.runtimeClassName !== undefined && s.allowedRuntimeClasses.includes(spec.runtimeClassName)
      ? []
      : [{ path: 'runtimeClassName', message: spec.runtimeClassName === undefined
        ? `is not set; sandboxes must use one of the runtime classes ${s.allowedRuntimeClasses.join(', ')}`
        : `"${spec.runtimeClassName}" is not one of the allowed runtime classes ${s.allowedRuntimeClasses.join(', ')}` }]),
    cel: (s) => `has(variables.podSpec.runtimeClassName) && variables.podSpec.runtimeClassName in ${celList(s.allowedRuntimeClasses)}`,
  },
  {
    id: RULE.resourceLimits, target: 'pod',
    summary: 'containers must set cpu and memory limits (resources.limits)',
    check: (spec) => perContainer(spec, '.resources.limits', 'must set cpu and memory limits', (_sc, c) => c.resources?.limits?.cpu !== undefined && c.resources?.limits?.memory !== undefined),
    cel: () => "variables.containers.all(c, has(c.resources) && has(c.resources.limits) && 'cpu' in c.resources.limits && 'memory' in c.resources.limits)",
  },
  {
    id: RULE.noHostPath, target: 'pod',
    summary: 'pods must not mount hostPath volumes',
    check: (spec) => (spec.volumes ?? []).flatMap((v, i) => (v.hostPath ? [{ path: `volumes[${i}].hostPath`, message: `volume "${v.name}" must not use hostPath` }] : [])),
    cel: () => '!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))',
  },
  {
    id: RULE.noHostNamespaces, target: 'pod',
    summary: 'pods must not use hostNetwork, hostPID or hostIPC',
    check: (spec) => (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((f) => spec[f] === true).map((f) => ({ path: f, message: 'must not be true' })),
    cel: () => ['hostNetwork', 'hostPID', 'hostIPC'].map((f) => `!(has(variables.podSpec.${f}) && variables.podSpec.${f})`).join(' && '),
  },
  {
    id: RULE.noServiceAccountToken, target: 'pod',
    summary: 'pods must set automountServiceAccountToken: false',
    check: (spec) => (spec.automountServiceAccountToken === false ? [] : [{ path: 'automountServiceAccountToken', message: 'must be false (sandboxed code must not get a Kubernetes API token)' }]),
    cel: () => 'has(variables.podSpec.automountServiceAccountToken) && variables.podSpec.automountServiceAccountToken == false',
  },
  {
    id: RULE.allowedRegistries, target: 'pod',
    summary: 'container images must come from an allowed registry (image)',
    check: (spec, s) => (s.allowedRegistries === undefined ? [] : containersOf(spec)
      .filter(({ container }) => !s.allowedRegistries!.some((r) => (container.image ?? '').startsWith(registryPrefix(r))))
      .map(({ path, container }) => ({ path: `${path}.image`, message: `"${container.image}" is not from an allowed registry (${s.allowedRegistries!.join(', ')})` }))),
    cel: (s) => (s.allowedRegistries === undefined ? undefined : `variables.containers.all(c, has(c.image) && ${celList(s.allowedRegistries.map(registryPrefix))}.exists(r, c.image.startsWith(r)))`),
  },
  {
    id: RULE.warmPoolMaxReplicas, target: 'warmPool',
    summary: 'warm pools must not exceed the team maximum (spec.replicas)',
    check: (spec, s) => (s.maxWarmPoolReplicas !== undefined && (spec.replicas ?? 1) > s.maxWarmPoolReplicas
      ? [{ path: 'spec.replicas', message: `${spec.replicas ?? 1} exceeds the maximum warm pool size ${s.maxWarmPoolReplicas}` }]
      : []),
    // In the cluster a SandboxWarmPool always has spec.replicas (the CRD defaults it before admission); only a Scale
    // omits it, and then it means 0.
    cel: (s) => (s.maxWarmPoolReplicas === undefined ? undefined : `(has(object.spec.replicas) ? object.spec.replicas : 0) <= ${s.maxWarmPoolReplicas}`),
  },
];
