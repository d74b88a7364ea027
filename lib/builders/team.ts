// One team's sandbox tenancy: its Namespace, quota, default container limits, a default-deny
// NetworkPolicy (DNS and the sandbox router excepted), RBAC for its agents (claims, and reaching the team's
// sandboxes through the router), extra sandbox-access grants, its templates and warm pools, and the admission
// policy that enforces its guardrails in the cluster.

import type { LimitRange, LimitRangeItem, Namespace, ResourceQuota } from 'kubernetes-types/core/v1';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-types/admissionregistration/v1';
import type { PolicyRule, Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import { sandboxCrd } from '../api/crds';
import { celList } from '../policy/cel';
import { ANNOTATION, CONTROLLER_POD_LABELS, CORE_GROUP, DEFAULT_SYSTEM_NAMESPACE, EXTENSIONS_GROUP, LABEL, ROUTER_APP_VALUE, SANDBOX, SANDBOX_CLAIM, SANDBOX_PROXY_ACCESS, SANDBOX_RUNTIME_PORT } from '../api';
import { buildAdmissionPolicy, resourceRules } from '../policy/admission-policy';
import { checkObjects, formatViolation, PlainObject } from '../policy/engine';
import { GuardrailPolicy, policyProblems } from '../policy/profiles';
import { CONTROLLER_NAME } from './controller-deployment';
import { routerLifecycleRbac } from './router';
import { namesSomeone, subjects, type TeamAgents } from './subjects';
import { assertNoProblems, Built, dnsLabelProblem, dnsSubdomainProblem, Manifest, quantityMapProblems } from './manifest';
import { podSecurityLabels, type PodSecurityLevel } from './platform';
import {
  buildSandboxTemplate, buildSandboxWarmPool, SandboxTemplateProps, sandboxTemplateProblems, SandboxWarmPoolProps, sandboxWarmPoolProblems,
} from './sandbox-resources';

/** More identities allowed to reach the team's sandboxes through the router (nothing else: no claims, no reads). */
export interface SandboxAccessGrant extends TeamAgents {
  /** Names the Role and RoleBinding `sandbox-access-<name>`. */
  readonly name: string;
  /** Only these Sandboxes (by name). @default - every sandbox in the team's namespace */
  readonly sandboxes?: readonly string[];
}

export interface TeamProps {
  /** Team name; also the namespace name. */
  readonly name: string;
  /** The team's agents. */
  readonly agents: TeamAgents;
  /** ResourceQuota `hard` limits. @default - 32 CPU / 64Gi / 256Gi ephemeral-storage requests, 64 CPU / 128Gi / 512Gi limits, 200 pods, 200 sandboxes, 200 claims */
  readonly quota?: Record<string, string>;
  /** Per-container defaults and bounds (LimitRange). @default - default 1 CPU / 1Gi / 2Gi ephemeral-storage limit, 250m / 256Mi / 1Gi request, max 4 CPU / 8Gi / 16Gi */
  readonly containerLimits?: Pick<LimitRangeItem, 'default' | 'defaultRequest' | 'max' | 'min'>;
  /** Largest warm pool this team may run. @default 20 */
  readonly maxWarmPoolReplicas?: number;
  /** Guardrails for the team's templates, sandboxes and pools (also enforced in-cluster). @default - profile restricted */
  readonly guardrails?: Omit<GuardrailPolicy, 'maxWarmPoolReplicas'>;
  /** Namespace of the controller and the sandbox router. @default "agent-sandbox-system" */
  readonly systemNamespace?: string;
  /** The team's templates (namespace is the team's). @default - none */
  readonly templates?: readonly Omit<SandboxTemplateProps, 'namespace'>[];
  /** The team's warm pools (namespace is the team's). @default - none */
  readonly warmPools?: readonly Omit<SandboxWarmPoolProps, 'namespace'>[];
  /**
   * Pod Security Admission level the namespace enforces on every Pod, whoever creates it (the guardrails
   * check our objects; this checks the Pods). Lower it only for templates exempted from a guardrail it covers.
   * @default "restricted"
   */
  readonly podSecurity?: PodSecurityLevel;
  /** Identities besides the agents that may reach the team's sandboxes through the router. @default - none */
  readonly sandboxAccess?: readonly SandboxAccessGrant[];
}

const DEFAULT_QUOTA: Record<string, string> = {
  'requests.cpu': '32', 'requests.memory': '64Gi', 'limits.cpu': '64', 'limits.memory': '128Gi', pods: '200',
  // Sandboxes write to emptyDir volumes: without a disk budget, warm pools could fill the nodes' disks.
  'requests.ephemeral-storage': '256Gi', 'limits.ephemeral-storage': '512Gi',
  [`count/${SANDBOX.plural}.${SANDBOX.group}`]: '200',
  [`count/${SANDBOX_CLAIM.plural}.${SANDBOX_CLAIM.group}`]: '200',
};

const DEFAULT_CONTAINER_LIMITS: Pick<LimitRangeItem, 'default' | 'defaultRequest' | 'max'> = {
  default: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '2Gi' },
  defaultRequest: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '1Gi' },
  max: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '16Gi' },
};

export const DEFAULT_MAX_WARM_POOL_REPLICAS = 20;

/** The guardrail policy of a team (its own settings plus its pool maximum). */
export function teamPolicy(props: TeamProps): GuardrailPolicy {
  return { ...props.guardrails, maxWarmPoolReplicas: props.maxWarmPoolReplicas ?? DEFAULT_MAX_WARM_POOL_REPLICAS };
}

export function teamProblems(props: TeamProps): string[] {
  const problems: (string | undefined)[] = [dnsLabelProblem('name', props.name)];
  if (!namesSomeone(props.agents)) problems.push('agents must name at least one group, service account or user');
  const grantNames = new Set<string>();
  for (const grant of props.sandboxAccess ?? []) {
    problems.push(...sandboxAccessProblems(grant).map((p) => `sandboxAccess[${grant.name}]: ${p}`));
    if (grantNames.has(grant.name)) problems.push(`sandboxAccess[${grant.name}]: name is used twice`);
    grantNames.add(grant.name);
  }
  problems.push(...policyProblems(teamPolicy(props)).map((p) => `guardrails: ${p}`));
  problems.push(...quantityMapProblems('quota', props.quota));
  for (const bound of ['default', 'defaultRequest', 'max', 'min'] as const) problems.push(...quantityMapProblems(`containerLimits.${bound}`, props.containerLimits?.[bound]));
  const templateNames = new Set((props.templates ?? []).map((t) => t.name));
  for (const t of props.templates ?? []) problems.push(...sandboxTemplateProblems({ ...t, namespace: props.name }).map((p) => `templates[${t.name}]: ${p}`));
  for (const p of props.warmPools ?? []) {
    problems.push(...sandboxWarmPoolProblems({ ...p, namespace: props.name }).map((m) => `warmPools[${p.name}]: ${m}`));
    if (!templateNames.has(p.templateName)) problems.push(`warmPools[${p.name}].templateName "${p.templateName}" is not one of the team's templates (${[...templateNames].join(', ') || 'none'})`);
  }
  const real = problems.filter((p): p is string => p !== undefined);
  return real.length > 0 ? real : guardrailViolations(props);
}

/** Guardrail violations of the team's own templates and pools (checked once the props are otherwise valid). */
function guardrailViolations(props: TeamProps): string[] {
  const objects = [
    ...(props.templates ?? []).map((t) => buildSandboxTemplate({ ...t, namespace: props.name })),
    ...(props.warmPools ?? []).map((p) => buildSandboxWarmPool({ ...p, namespace: props.name })),
  ];
  return checkObjects(objects, teamPolicy(props)).map(formatViolation);
}


/** Every problem with one sandbox-access grant, each naming the field. */
export function sandboxAccessProblems(grant: SandboxAccessGrant): string[] {
  const problems = [dnsLabelProblem('name', grant.name)];
  if (!namesSomeone(grant)) problems.push('must name at least one group, service account or user');
  for (const sandbox of grant.sandboxes ?? []) problems.push(dnsSubdomainProblem('sandboxes', sandbox));
  if (grant.sandboxes?.length === 0) problems.push('sandboxes is empty: leave it out to grant every sandbox of the team');
  return problems.filter((p): p is string => p !== undefined);
}

/** RBAC subjects for `who`; bare service-account names are in `namespace`. */
/** Builds the team's objects in apply order. Throws when teamProblems() reports any. */
export function buildTeam(props: TeamProps): Manifest[] {
  assertNoProblems(`TeamSandboxes ${props.name}`, teamProblems(props));
  const templates = (props.templates ?? []).map((t) => buildSandboxTemplate({ ...t, namespace: props.name }));
  const pools = (props.warmPools ?? []).map((p) => buildSandboxWarmPool({ ...p, namespace: props.name }));
  return [...teamBaseObjects(props), ...teamAdmissionPolicy(props, templates), ...templates, ...pools];
}

function teamLabels(props: Pick<TeamProps, 'name'>): Record<string, string> {
  return { 'app.kubernetes.io/part-of': 'agent-sandbox', 'agent-sandbox-kit.dev/team': props.name };
}

/**
 * Namespace, ResourceQuota, LimitRange, default-deny NetworkPolicy, the agents' Role + RoleBinding, and the router's
 * lifecycle Role (patch Sandboxes here: activity, resume on request).
 */
export function teamBaseObjects(props: TeamProps): Manifest[] {
  const ns = props.name;
  const labels = teamLabels(props);
  const namespace: Built<Namespace> = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ...labels, ...podSecurityLabels(props.podSecurity ?? 'restricted') } } };
  const quota: Built<ResourceQuota> = {
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'sandboxes', namespace: ns, labels },
    spec: { hard: { ...DEFAULT_QUOTA, ...props.quota } },
  };
  const limitRange: Built<LimitRange> = {
    apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'sandboxes', namespace: ns, labels },
    spec: { limits: [{ type: 'Container', ...(props.containerLimits ?? DEFAULT_CONTAINER_LIMITS) }] },
  };
  return [
    namespace, quota, limitRange, defaultDenyPolicy(ns, props.systemNamespace ?? DEFAULT_SYSTEM_NAMESPACE, labels), ...agentRbac(props, labels),
    ...(props.sandboxAccess ?? []).flatMap((grant) => sandboxAccessRbac(props.name, grant)),
    ...routerLifecycleRbac(ns, props.systemNamespace ?? DEFAULT_SYSTEM_NAMESPACE, labels),
  ];
}

/** The team's ValidatingAdmissionPolicy and binding; `exemptObjects` are the objects whose exemptions it honours. */
export function teamAdmissionPolicy(props: TeamProps, exemptObjects: readonly PlainObject[]): ReturnType<typeof buildAdmissionPolicy> {
  const systemNamespace = props.systemNamespace ?? DEFAULT_SYSTEM_NAMESPACE;
  return buildAdmissionPolicy({
    namespace: props.name, policy: teamPolicy(props), exemptObjects,
    controllerUsername: `system:serviceaccount:${systemNamespace}:${CONTROLLER_NAME}`,
  });
}

function defaultDenyPolicy(ns: string, systemNamespace: string, labels: Record<string, string>): Built<NetworkPolicy> {
  const namespaceNamed = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace: ns, labels },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      // Only the sandbox router may connect in, and the controller to the runtime port (startup actions);
      // per-template policies (kept by the controller) add more.
      ingress: [
        { from: [{ namespaceSelector: namespaceNamed(systemNamespace), podSelector: { matchLabels: { [LABEL.routerApp]: ROUTER_APP_VALUE } } }] },
        { from: [{ namespaceSelector: namespaceNamed(systemNamespace), podSelector: { matchLabels: { ...CONTROLLER_POD_LABELS } } }], ports: [{ protocol: 'TCP', port: SANDBOX_RUNTIME_PORT }] },
      ],
      // Cluster DNS only; everything else stays denied unless a template policy allows it.
      egress: [{
        to: [{ namespaceSelector: namespaceNamed('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    },
  };
}

function agentRbac(props: TeamProps, labels: Record<string, string>): Manifest[] {
  const name = 'sandbox-agents';
  const role: Built<Role> = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: props.name, labels },
    rules: [
      { apiGroups: [EXTENSIONS_GROUP], resources: [SANDBOX_CLAIM.plural], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
      // patch: suspend and resume (spec.operatingMode) and direct mode's activity as the SDK does; agentSandboxUpdatePolicy
      // allows nothing else.
      { apiGroups: [CORE_GROUP], resources: [SANDBOX.plural], verbs: ['get', 'list', 'watch', 'patch'] },
      sandboxProxyRule(),
    ],
  };
  const binding: Built<RoleBinding> = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: props.name, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: subjects(props.agents, props.name),
  };
  return [role, binding, ...agentSandboxUpdatePolicy(props, labels)];
}

/** What of a Sandbox the agents' updates must leave as it was: all of spec but operatingMode, and the metadata the controller keys on. */
const frozenForAgents = () => [
  ...Object.keys(sandboxCrd().spec.versions[0].schema!.openAPIV3Schema!.properties!.spec.properties!).filter((field) => field !== 'operatingMode').map((field) => `spec.${field}`),
  ...['labels', 'ownerReferences', 'finalizers'].map((field) => `metadata.${field}`),
];

/**
 * CEL: the annotations are unchanged but for what the SDK's direct mode writes: the last-activity annotation (an RFC 3339
 * UTC time, as the router writes it) and, on resume, the removal of the suspend reason.
 */
function annotationsUnchangedButActivity(): string {
  const [now, old] = ['object.metadata.annotations', 'oldObject.metadata.annotations'];
  const activity = JSON.stringify(ANNOTATION.lastActivity);
  const has = (root: string) => `has(${root.replace('.annotations', '')}.annotations)`;
  return [
    `(!${has(now)} || ${now}.all(k, k == ${activity} || (${has(old)} && k in ${old} && ${old}[k] == ${now}[k])))`,
    `(!${has(old)} || ${old}.all(k, k == ${activity} || k == ${JSON.stringify(ANNOTATION.suspendReason)} || (${has(now)} && k in ${now})))`,
    `(!${has(now)} || !(${activity} in ${now}) || ${now}[${activity}].matches('^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'))`,
  ].join(' && ');
}

/**
 * A ValidatingAdmissionPolicy (and binding to the team namespace) limiting what the agents' `patch` on Sandboxes may
 * change to spec.operatingMode: they suspend and resume their sandboxes, never rewrite a pod template, volumes,
 * expiry, or the labels and owners that bind a sandbox to its claim.
 */
function agentSandboxUpdatePolicy(props: TeamProps, labels: Record<string, string>): [Built<ValidatingAdmissionPolicy>, Built<ValidatingAdmissionPolicyBinding>] {
  const name = `agent-sandbox-agents-${props.name}`;
  const frozen = frozenForAgents();
  const { groups = [], users = [], serviceAccounts = [] } = props.agents;
  const usernames = [...users, ...serviceAccounts.map((ref) => `system:serviceaccount:${ref.includes('/') ? ref.replace('/', ':') : `${props.name}:${ref}`}`)];
  const unchanged = (path: string) => {
    const [parent, field] = [path.slice(0, path.lastIndexOf('.')), path.slice(path.lastIndexOf('.') + 1)];
    const has = (root: string) => `has(${root}.${parent}.${field})`;
    return `${has('object')} == ${has('oldObject')} && (!${has('object')} || object.${path} == oldObject.${path})`;
  };
  const policy: Built<ValidatingAdmissionPolicy> = {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name, labels },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: resourceRules([{ apiGroups: [CORE_GROUP], apiVersions: [SANDBOX.version], operations: ['UPDATE'], resources: [SANDBOX.plural] }]) },
      matchConditions: [{
        name: 'an-agent-of-the-team',
        expression: `request.userInfo.username in ${celList(usernames)} || (has(request.userInfo.groups) && request.userInfo.groups.exists(g, g in ${celList(groups)}))`,
      }],
      validations: [{
        expression: [...frozen.map((path) => `(${unchanged(path)})`), annotationsUnchangedButActivity()].join(' && '),
        message: `agents of team ${props.name} may change only spec.operatingMode of a Sandbox (suspend, resume), its ${ANNOTATION.lastActivity} annotation `
          + `and, when resuming, remove its ${ANNOTATION.suspendReason} annotation; unchanged: ${frozen.join(', ')}, metadata.annotations`,
        reason: 'Forbidden',
      }],
    },
  };
  const binding: Built<ValidatingAdmissionPolicyBinding> = {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name, labels },
    spec: { policyName: name, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.name } } } },
  };
  return [policy, binding];
}

/** What the sandbox router checks before proxying (SubjectAccessReview); `sandboxes` narrows it to those names. */
function sandboxProxyRule(sandboxes?: readonly string[]): PolicyRule {
  const { group, resource, subresource, verb } = SANDBOX_PROXY_ACCESS;
  return { apiGroups: [group], resources: [`${resource}/${subresource}`], verbs: [verb], ...(sandboxes ? { resourceNames: [...sandboxes] } : {}) };
}

/** Role + RoleBinding `sandbox-access-<name>` in team `namespace`: reach its sandboxes (or the named ones) through the router. */
export function sandboxAccessRbac(namespace: string, grant: SandboxAccessGrant): Manifest[] {
  assertNoProblems(`TeamSandboxes ${namespace} sandboxAccess[${grant.name}]`, sandboxAccessProblems(grant));
  const labels = teamLabels({ name: namespace });
  const name = `sandbox-access-${grant.name}`;
  const role: Built<Role> = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace, labels }, rules: [sandboxProxyRule(grant.sandboxes)],
  };
  const binding: Built<RoleBinding> = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: subjects(grant, namespace),
  };
  return [role, binding];
}
