// What the platform's own pods (controller, router) and the namespaces we create share: the priority
// class that lets them preempt sandboxes, the metrics-only-from-monitoring ingress rule, the egress to
// DNS and the API server, and Pod Security Admission labels.

import type { PriorityClass } from 'kubernetes-types/scheduling/v1';
import type { NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer } from 'kubernetes-types/networking/v1';
import type { Built } from './manifest';

/** PriorityClass of the controller and router: above sandboxes, so warm pools filling the nodes cannot starve them. */
export const PLATFORM_PRIORITY_CLASS_NAME = 'agent-sandbox-platform';
/** Below Kubernetes' own system-cluster-critical (2000000000) and system-node-critical classes. */
const PLATFORM_PRIORITY = 1_000_000;

/** Namespace whose pods may scrape the platform's metrics by default (kube-prometheus' namespace). */
export const DEFAULT_MONITORING_NAMESPACE = 'monitoring';

export function platformPriorityClass(): Built<PriorityClass> {
  return {
    apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass',
    metadata: { name: PLATFORM_PRIORITY_CLASS_NAME, labels: { 'app.kubernetes.io/part-of': 'agent-sandbox' } },
    value: PLATFORM_PRIORITY,
    globalDefault: false,
    description: 'agent-sandbox controller and router: scheduled ahead of (and may preempt) sandbox pods.',
  };
}

export const namespaceNamed = (name: string): NetworkPolicyPeer => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

/** Metrics scrapes only from the monitoring namespace (probes come from the kubelet, which policies do not govern). */
export function metricsFromMonitoring(monitoringNamespace: string, port: number): NetworkPolicyIngressRule {
  return { from: [namespaceNamed(monitoringNamespace)], ports: [{ port, protocol: 'TCP' }] };
}

/** Cluster DNS, and the API server: it is not a pod and its address differs per cluster, so its ports are pinned. */
export function dnsAndApiServerEgress(apiServerCidrs: readonly string[]): NetworkPolicyEgressRule[] {
  return [
    { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
    { to: apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }] },
  ];
}

/** Where the API server may be by default: anywhere (narrow it with the cluster's API server address). */
export const ANY_ADDRESS: readonly string[] = ['0.0.0.0/0', '::/0'];

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** Pod Security Admission labels enforcing (and warning and auditing at) `level`. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return Object.fromEntries(['enforce', 'warn', 'audit'].flatMap((mode) => [
    [`pod-security.kubernetes.io/${mode}`, level],
    [`pod-security.kubernetes.io/${mode}-version`, 'latest'],
  ]));
}
