// Builds a complete agent-sandbox installation as plain objects: CRDs, Namespace, ServiceAccount, RBAC,
// controller Deployment, metrics Service, PodDisruptionBudget and an optional ServiceMonitor.
// Output order is apply order: CRDs and the Namespace come before anything that needs them.

import type { Namespace, Service, ServiceAccount } from 'kubernetes-types/core/v1';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import { allCrds, LABEL, SANDBOX_RUNTIME_PORT } from '../api';
import { controllerDeployment, CONTROLLER_NAME, controllerLabels, controllerSelector, WEBHOOK_TLS_SECRET } from './controller-deployment';
import { CA_BUNDLE_RULES, CORE_CONTROLLER_RULES, EXTENSIONS_CONTROLLER_RULES, LEADER_ELECTION_RULES } from './controller-rbac';
import { assertNoProblems, Built, Manifest } from './manifest';
import {
  ANY_ADDRESS, DEFAULT_MONITORING_NAMESPACE, dnsAndApiServerEgress, metricsFromMonitoring, platformPriorityClass, podSecurityLabels,
} from './platform';
import { AgentSandboxSystemProps, ResolvedSystemProps, resolveSystemProps, ServiceMonitorOptions, systemProblems } from './system-props';

const RBAC = 'rbac.authorization.k8s.io/v1';

/** Builds every object of the installation, in apply order. Throws when systemProblems() reports any. */
export function buildSystem(props: AgentSandboxSystemProps = {}): Manifest[] {
  assertNoProblems('AgentSandboxSystem', systemProblems(props));
  const r = resolveSystemProps(props);
  const clusterRoles: Array<[string, readonly PolicyRule[]]> = [[CONTROLLER_NAME, CORE_CONTROLLER_RULES]];
  if (r.flags.extensions) clusterRoles.push([`${CONTROLLER_NAME}-extensions`, EXTENSIONS_CONTROLLER_RULES]);
  if (r.flags.conversionWebhookManageCaBundle ?? true) clusterRoles.push([`${CONTROLLER_NAME}-ca-bundle`, CA_BUNDLE_RULES]);
  return [
    ...(r.installCrds ? crds(r) : []),
    ...(r.createNamespace ? [namespace(r.namespace)] : []),
    ...(props.createPriorityClass ?? true ? [platformPriorityClass()] : []),
    serviceAccount(r),
    ...clusterRoles.flatMap(([name, rules]) => clusterRoleWithBinding(r, name, rules)),
    ...leaseRoleWithBinding(r),
    controllerDeployment(r, props),
    metricsService(r),
    controllerNetworkPolicy(r, props),
    ...(r.conversionCertificates === 'cert-manager' ? webhookCertificate(r) : []),
    ...(props.podDisruptionBudget ?? true ? [disruptionBudget(r)] : []),
    ...(props.serviceMonitor ? [serviceMonitor(r, props.serviceMonitor)] : []),
  ];
}

const WEBHOOK_SERVICE_PORT = 443;
const webhookCertificateName = `${CONTROLLER_NAME}-webhook`;

/** The CRDs, converted by the controller's webhook behind its Service (cert-manager injects caBundle when it issues). */
function crds(r: ResolvedSystemProps): Manifest[] {
  const all = allCrds({ conversionWebhook: { service: { namespace: r.namespace, name: CONTROLLER_NAME, port: WEBHOOK_SERVICE_PORT } } });
  if (r.conversionCertificates === 'cert-manager') {
    for (const crd of all) crd.metadata!.annotations = { 'cert-manager.io/inject-ca-from': `${r.namespace}/${webhookCertificateName}` };
  }
  return all.map((crd) => crd as Built<typeof crd>);
}

/** cert-manager objects: a self-signed Issuer and the webhook's Certificate (written to WEBHOOK_TLS_SECRET). */
/** cert-manager.io/v1 objects (not in kubernetes-types: cert-manager's CRDs). */
interface CertManagerObject extends Manifest {
  readonly spec: object;
}

function webhookCertificate(r: ResolvedSystemProps): CertManagerObject[] {
  const metadata = { namespace: r.namespace, labels: controllerLabels() };
  return [
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { ...metadata, name: webhookCertificateName }, spec: { selfSigned: {} } },
    {
      apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { ...metadata, name: webhookCertificateName },
      spec: {
        secretName: WEBHOOK_TLS_SECRET,
        dnsNames: String(r.flags.conversionWebhookHosts).split(',').map((h) => h.trim()).filter(Boolean),
        issuerRef: { kind: 'Issuer', name: webhookCertificateName },
      },
    },
  ];
}

function namespace(name: string): Built<Namespace> {
  // The controller and router pods meet the restricted profile, so the namespace enforces it.
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'app.kubernetes.io/part-of': 'agent-sandbox', ...podSecurityLabels('restricted') } } };
}

/**
 * Nothing but the monitoring namespace may connect (to metrics); the controller may reach only DNS, the API server and
 * sandbox pods' runtime port (startup actions).
 */
function controllerNetworkPolicy(r: ResolvedSystemProps, props: AgentSandboxSystemProps): Built<NetworkPolicy> {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: CONTROLLER_NAME, namespace: r.namespace, labels: controllerLabels() },
    spec: {
      podSelector: { matchLabels: controllerSelector() },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        metricsFromMonitoring(props.monitoringNamespace ?? DEFAULT_MONITORING_NAMESPACE, r.metricsPort),
        // The API server calls the conversion webhook from an address no selector can name; TLS authenticates the server.
        ...(Number.isNaN(r.webhookPort) ? [] : [{ ports: [{ port: r.webhookPort, protocol: 'TCP' }] }]),
      ],
      egress: [
        { to: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: LABEL.sandboxNameHash, operator: 'Exists' }] } }], ports: [{ port: SANDBOX_RUNTIME_PORT, protocol: 'TCP' }] },
        ...dnsAndApiServerEgress(props.apiServerCidrs ?? ANY_ADDRESS),
      ],
    },
  };
}

function serviceAccount(r: ResolvedSystemProps): Built<ServiceAccount> {
  return {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: CONTROLLER_NAME, namespace: r.namespace, labels: controllerLabels() },
    // Only the controller pod mounts the token, explicitly; nothing else using this account gets one.
    automountServiceAccountToken: false,
  };
}

const subject = (r: ResolvedSystemProps) => [{ kind: 'ServiceAccount', name: CONTROLLER_NAME, namespace: r.namespace }];

function clusterRoleWithBinding(r: ResolvedSystemProps, name: string, rules: readonly PolicyRule[]): Manifest[] {
  const role: Built<ClusterRole> = { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, labels: controllerLabels() }, rules: structuredClone([...rules]) };
  const binding: Built<ClusterRoleBinding> = {
    apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name, labels: controllerLabels() },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: subject(r),
  };
  return [role, binding];
}

function leaseRoleWithBinding(r: ResolvedSystemProps): Manifest[] {
  const name = `${CONTROLLER_NAME}-leader-election`;
  const metadata = { name, namespace: r.leaseNamespace, labels: controllerLabels() };
  const role: Built<Role> = { apiVersion: RBAC, kind: 'Role', metadata, rules: structuredClone([...LEADER_ELECTION_RULES]) };
  const binding: Built<RoleBinding> = {
    apiVersion: RBAC, kind: 'RoleBinding', metadata: { ...metadata },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: subject(r),
  };
  return [role, binding];
}

/** The metrics endpoint and the conversion webhook. */
function metricsService(r: ResolvedSystemProps): Built<Service> {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: CONTROLLER_NAME, namespace: r.namespace, labels: controllerLabels() },
    spec: {
      selector: controllerSelector(),
      ports: [
        { name: 'metrics', port: r.metricsPort, targetPort: 'metrics', protocol: 'TCP' },
        ...(Number.isNaN(r.webhookPort) ? [] : [{ name: 'webhook', port: WEBHOOK_SERVICE_PORT, targetPort: 'webhook', protocol: 'TCP' }]),
      ],
    },
  };
}

function disruptionBudget(r: ResolvedSystemProps): Built<PodDisruptionBudget> {
  return {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
    metadata: { name: CONTROLLER_NAME, namespace: r.namespace, labels: controllerLabels() },
    spec: { maxUnavailable: 1, selector: { matchLabels: controllerSelector() } },
  };
}

/** monitoring.coreos.com/v1 ServiceMonitor (not in kubernetes-types: it is a Prometheus Operator CRD). */
export interface ServiceMonitor extends Manifest {
  readonly spec: {
    selector: { matchLabels: Record<string, string> };
    namespaceSelector: { matchNames: string[] };
    endpoints: Array<{ port: string; path: string; interval: string }>;
  };
}

function serviceMonitor(r: ResolvedSystemProps, options: ServiceMonitorOptions): ServiceMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor',
    metadata: { name: CONTROLLER_NAME, namespace: r.namespace, labels: { ...controllerLabels(), ...options.labels } },
    spec: {
      selector: { matchLabels: controllerLabels() },
      namespaceSelector: { matchNames: [r.namespace] },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: options.interval ?? '30s' }],
    },
  };
}
