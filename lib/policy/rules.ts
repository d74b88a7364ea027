// The guardrail rules. Each rule carries both its synth-time check (over a plain pod spec or warm pool)
// and the CEL expression that enforces the same condition in the cluster, side by side so they cannot
// drift apart, and the CEL that words a denial from the engine's own messages. CEL expressions use the variables
// declared in admission-policy.ts.

import type { Container, PodSpec, SecurityContext } from 'kubernetes-types/core/v1';
import { celFindingIf, celFormat, celList, celString } from './cel';
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
  /** CEL list of strings: what `check` would report, each naming its container, volume or field; evaluated on denial only. */
  readonly celFindings: (settings: RuleSettings) => string;
}

export interface WarmPoolRule extends RuleBase {
  readonly target: 'warmPool';
  readonly check: (spec: { replicas?: number }, settings: RuleSettings) => Finding[];
  /** CEL over `object` (a SandboxWarmPool, or the Scale of one); undefined when the settings switch the rule off. */
  readonly cel: (settings: RuleSettings) => string | undefined;
  /** CEL list of strings: what `check` would report, with the requested replicas; evaluated on denial only. */
  readonly celFindings: (settings: RuleSettings) => string;
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
    // The API refuses ephemeral containers on create, but a guardrail must not depend on that.
    ...(spec.ephemeralContainers ?? []).map((container, i) => ({ container: container as Container, path: `ephemeralContainers[${i}]` })),
  ];
}

type ContainerCheck = (sc: SecurityContext | undefined, c: Container, spec: PodSpec) => boolean;

const aboutContainer = (message: string) => (name: string) => `container "${name}" ${message}`;

/** A finding per container for which `ok` is false. */
function perContainer(spec: PodSpec, field: string, message: string, ok: ContainerCheck): Finding[] {
  return containersOf(spec)
    .filter(({ container }) => !ok(container.securityContext, container, spec))
    .map(({ path, container }) => ({ path: `${path}${field}`, message: aboutContainer(message)(container.name) }));
}

/** CEL listing, worded as perContainer does, the containers for which the CEL condition `ok` (over `c`) is false. */
const celPerContainer = (ok: string, message: string) => `variables.containers.filter(c, !(${ok})).map(c, ${celFormat(aboutContainer(message), 'c.name')})`;

/** A rule every container must pass, checked by `ok` at synth time and by the CEL condition `celOk` (over `c`) in the cluster. */
function containerRule(id: RuleId, summary: string, field: string, message: string, ok: ContainerCheck, celOk: string): PodRule {
  return {
    id, target: 'pod', summary,
    check: (spec) => perContainer(spec, field, message, ok),
    cel: () => `variables.containers.all(c, ${celOk})`,
    celFindings: () => celPerContainer(celOk, message),
  };
}

/** A pod-level finding as a denial shows it: the engine reports the field as a path, a denial has only the text. */
const atField = (field: string, message: string) => `${field}: ${message}`;

/** Normalises a registry entry to a prefix that cannot match a longer registry name ("ghcr.io" must not match "ghcr.io.evil.com"). */
export function registryPrefix(entry: string): string {
  return entry.endsWith('/') ? entry : `${entry}/`;
}

const SECURE_SECCOMP = ['RuntimeDefault', 'Localhost'];

/** CEL: container `c` has an image under one of the allowed registries. */
const celAllowedImage = (allowed: readonly string[]) => `has(c.image) && ${celList(allowed.map(registryPrefix))}.exists(r, c.image.startsWith(r))`;

const RUN_AS_NON_ROOT = 'must set runAsNonRoot: true (or inherit it from the pod securityContext)';
const NOT_UID_0 = 'must not run as uid 0';
const CEL_RUN_AS_NON_ROOT = 'has(c.securityContext) && has(c.securityContext.runAsNonRoot) ? c.securityContext.runAsNonRoot : (has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsNonRoot) && variables.podSpec.securityContext.runAsNonRoot)';
const CEL_NOT_UID_0 = 'has(c.securityContext) && has(c.securityContext.runAsUser) ? c.securityContext.runAsUser != 0 : !(has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsUser) && variables.podSpec.securityContext.runAsUser == 0)';

const runtimeClassNotSet = (allowed: readonly string[]) => `is not set; sandboxes must use one of the runtime classes ${allowed.join(', ')}`;
const runtimeClassNotAllowed = (allowed: readonly string[]) => (name: string) => `"${name}" is not one of the allowed runtime classes ${allowed.join(', ')}`;
const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'] as const;
const HOST_NAMESPACE_USED = 'must not be true';
const TOKEN_MOUNTED = 'must be false (sandboxed code must not get a Kubernetes API token)';
const hostPathVolume = (name: string) => `volume "${name}" must not use hostPath`;
const foreignImage = (allowed: readonly string[]) => (image: string) => `"${image}" is not from an allowed registry (${allowed.join(', ')})`;
const poolTooLarge = (max: number) => (replicas: string) => `${replicas} exceeds the maximum warm pool size ${max}`;
// In the cluster a SandboxWarmPool always has spec.replicas (the CRD defaults it before admission); only a Scale
// omits it, and then it means 0.
const CEL_POOL_REPLICAS = '(has(object.spec.replicas) ? object.spec.replicas : 0)';

export const RULES: readonly Rule[] = [
  {
    id: RULE.runAsNonRoot, target: 'pod',
    summary: 'containers must run as non-root (securityContext.runAsNonRoot: true and no securityContext.runAsUser: 0, on the container or the pod)',
    check: (spec) => [
      ...perContainer(spec, '.securityContext.runAsNonRoot', RUN_AS_NON_ROOT, (sc) => (sc?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot) === true),
      ...perContainer(spec, '.securityContext.runAsUser', NOT_UID_0, (sc) => (sc?.runAsUser ?? spec.securityContext?.runAsUser) !== 0),
    ],
    cel: () => `variables.containers.all(c, ${CEL_RUN_AS_NON_ROOT}) && variables.containers.all(c, ${CEL_NOT_UID_0})`,
    celFindings: () => `${celPerContainer(CEL_RUN_AS_NON_ROOT, RUN_AS_NON_ROOT)} + ${celPerContainer(CEL_NOT_UID_0, NOT_UID_0)}`,
  },
  containerRule(RULE.noPrivilegeEscalation, 'containers must set securityContext.allowPrivilegeEscalation: false',
    '.securityContext.allowPrivilegeEscalation', 'must set allowPrivilegeEscalation: false', (sc) => sc?.allowPrivilegeEscalation === false,
    'has(c.securityContext) && has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false'),
  containerRule(RULE.dropAllCapabilities, 'containers must drop ALL capabilities (securityContext.capabilities.drop)',
    '.securityContext.capabilities.drop', 'must drop ALL capabilities', (sc) => (sc?.capabilities?.drop ?? []).includes('ALL'),
    "has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop"),
  containerRule(RULE.noAddedCapabilities, 'containers must not add capabilities (securityContext.capabilities.add)',
    '.securityContext.capabilities.add', 'must not add capabilities', (sc) => (sc?.capabilities?.add ?? []).length === 0,
    '!has(c.securityContext) || !has(c.securityContext.capabilities) || !has(c.securityContext.capabilities.add) || size(c.securityContext.capabilities.add) == 0'),
  containerRule(RULE.noPrivileged, 'containers must not be privileged (securityContext.privileged)',
    '.securityContext.privileged', 'must not be privileged', (sc) => sc?.privileged !== true,
    '!has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged'),
  containerRule(RULE.seccompProfile, 'containers must use the RuntimeDefault or a Localhost seccomp profile (securityContext.seccompProfile.type, on the container or the pod)',
    '.securityContext.seccompProfile.type', 'must use seccomp profile RuntimeDefault or Localhost (on the container or the pod)',
    (sc, _c, spec) => SECURE_SECCOMP.includes(sc?.seccompProfile?.type ?? spec.securityContext?.seccompProfile?.type ?? ''),
    `(has(c.securityContext) && has(c.securityContext.seccompProfile) ? c.securityContext.seccompProfile.type : (has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.seccompProfile) ? variables.podSpec.securityContext.seccompProfile.type : '')) in ${celList(SECURE_SECCOMP)}`),
  {
    id: RULE.runtimeClass, target: 'pod',
    summary: 'pods must set runtimeClassName to an allowed sandbox runtime',
    check: (spec, s) => (spec.runtimeClassName !== undefined && s.allowedRuntimeClasses.includes(spec.runtimeClassName)
      ? []
      : [{ path: 'runtimeClassName', message: spec.runtimeClassName === undefined
        ? runtimeClassNotSet(s.allowedRuntimeClasses)
        : runtimeClassNotAllowed(s.allowedRuntimeClasses)(spec.runtimeClassName) }]),
    cel: (s) => `has(variables.podSpec.runtimeClassName) && variables.podSpec.runtimeClassName in ${celList(s.allowedRuntimeClasses)}`,
    celFindings: (s) => `has(variables.podSpec.runtimeClassName) ? ${celFindingIf(`!(variables.podSpec.runtimeClassName in ${celList(s.allowedRuntimeClasses)})`,
      celFormat((name) => atField('runtimeClassName', runtimeClassNotAllowed(s.allowedRuntimeClasses)(name)), 'variables.podSpec.runtimeClassName'))} : [${celString(atField('runtimeClassName', runtimeClassNotSet(s.allowedRuntimeClasses)))}]`,
  },
  containerRule(RULE.resourceLimits, 'containers must set cpu and memory limits (resources.limits)',
    '.resources.limits', 'must set cpu and memory limits', (_sc, c) => c.resources?.limits?.cpu !== undefined && c.resources?.limits?.memory !== undefined,
    "has(c.resources) && has(c.resources.limits) && 'cpu' in c.resources.limits && 'memory' in c.resources.limits"),
  {
    id: RULE.noHostPath, target: 'pod',
    summary: 'pods must not mount hostPath volumes',
    check: (spec) => (spec.volumes ?? []).flatMap((v, i) => (v.hostPath ? [{ path: `volumes[${i}].hostPath`, message: hostPathVolume(v.name) }] : [])),
    cel: () => '!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))',
    celFindings: () => `has(variables.podSpec.volumes) ? variables.podSpec.volumes.filter(v, has(v.hostPath)).map(v, ${celFormat(hostPathVolume, 'v.name')}) : []`,
  },
  {
    id: RULE.noHostNamespaces, target: 'pod',
    summary: 'pods must not use hostNetwork, hostPID or hostIPC',
    check: (spec) => HOST_NAMESPACES.filter((f) => spec[f] === true).map((f) => ({ path: f, message: HOST_NAMESPACE_USED })),
    cel: () => HOST_NAMESPACES.map((f) => `!(has(variables.podSpec.${f}) && variables.podSpec.${f})`).join(' && '),
    celFindings: () => HOST_NAMESPACES.map((f) => celFindingIf(`has(variables.podSpec.${f}) && variables.podSpec.${f}`, celString(atField(f, HOST_NAMESPACE_USED)))).join(' + '),
  },
  {
    id: RULE.noServiceAccountToken, target: 'pod',
    summary: 'pods must set automountServiceAccountToken: false',
    check: (spec) => (spec.automountServiceAccountToken === false ? [] : [{ path: 'automountServiceAccountToken', message: TOKEN_MOUNTED }]),
    cel: () => 'has(variables.podSpec.automountServiceAccountToken) && variables.podSpec.automountServiceAccountToken == false',
    celFindings: () => `[${celString(atField('automountServiceAccountToken', TOKEN_MOUNTED))}]`,
  },
  {
    id: RULE.allowedRegistries, target: 'pod',
    summary: 'container images must come from an allowed registry (image)',
    check: (spec, s) => (s.allowedRegistries === undefined ? [] : containersOf(spec)
      .filter(({ container }) => !s.allowedRegistries!.some((r) => (container.image ?? '').startsWith(registryPrefix(r))))
      .map(({ path, container }) => ({ path: `${path}.image`, message: foreignImage(s.allowedRegistries!)(container.image ?? '') }))),
    cel: (s) => (s.allowedRegistries === undefined ? undefined : `variables.containers.all(c, ${celAllowedImage(s.allowedRegistries)})`),
    celFindings: (s) => `variables.containers.filter(c, !(${celAllowedImage(s.allowedRegistries ?? [])})).map(c, ${celFormat(foreignImage(s.allowedRegistries ?? []), "(has(c.image) ? c.image : '')")})`,
  },
  {
    id: RULE.warmPoolMaxReplicas, target: 'warmPool',
    summary: 'warm pools must not exceed the team maximum (spec.replicas)',
    check: (spec, s) => (s.maxWarmPoolReplicas !== undefined && (spec.replicas ?? 1) > s.maxWarmPoolReplicas
      ? [{ path: 'spec.replicas', message: poolTooLarge(s.maxWarmPoolReplicas)(String(spec.replicas ?? 1)) }]
      : []),
    cel: (s) => (s.maxWarmPoolReplicas === undefined ? undefined : `${CEL_POOL_REPLICAS} <= ${s.maxWarmPoolReplicas}`),
    celFindings: (s) => `[${celFormat((n) => atField('spec.replicas', poolTooLarge(s.maxWarmPoolReplicas ?? 0)(n)), `string(${CEL_POOL_REPLICAS})`)}]`,
  },
];
