// The shared per-template NetworkPolicy `<template>-network-policy`: selects every template-derived sandbox pod by the
// template-ref-hash label. Managed without rules = secure default (ingress only from the sandbox router, egress to the
// public internet only — cluster DNS, pod/service networks and link-local metadata endpoints are blocked on purpose).
import type { NetworkPolicy, NetworkPolicySpec } from 'kubernetes-types/networking/v1';
import { CONTROLLER_POD_LABELS, LABEL, ROUTER_APP_VALUE, DEFAULT_SYSTEM_NAMESPACE, nameHash, SANDBOX_RUNTIME_PORT, type SandboxTemplate } from '../../api';
import { controllerRefTo } from '../shared/ownership';
import { templateOwner } from '../shared/extension-owners';
import { usesDefaultNetworkPolicy } from '../shared/template-pod-defaults';

const PRIVATE_IPV4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];
const PRIVATE_IPV6 = ['fc00::/7', 'fe80::/10'];

export function networkPolicyName(templateName: string): string {
  return `${templateName}-network-policy`;
}

function defaultRules(): Pick<NetworkPolicySpec, 'ingress' | 'egress'> {
  return {
    ingress: [{
      from: [{
        podSelector: { matchLabels: { [LABEL.routerApp]: ROUTER_APP_VALUE } },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': DEFAULT_SYSTEM_NAMESPACE } },
      }],
    }, {
      // The controller runs startup actions through the runtime port.
      from: [{
        podSelector: { matchLabels: { ...CONTROLLER_POD_LABELS } },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': DEFAULT_SYSTEM_NAMESPACE } },
      }],
      ports: [{ protocol: 'TCP', port: SANDBOX_RUNTIME_PORT }],
    }],
    egress: [{
      to: [
        { ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_IPV4 } },
        { ipBlock: { cidr: '::/0', except: PRIVATE_IPV6 } },
      ],
    }],
  };
}

/** The spec the template's NetworkPolicy must have (only meaningful for Managed templates). */
export function desiredNetworkPolicySpec(template: SandboxTemplate): NetworkPolicySpec {
  const name = template.metadata.name!;
  const rules = usesDefaultNetworkPolicy(template.spec)
    ? defaultRules()
    : { ingress: template.spec.networkPolicy?.ingress ?? [], egress: template.spec.networkPolicy?.egress ?? [] };
  return { podSelector: { matchLabels: { [LABEL.templateRefHash]: nameHash(name) } }, policyTypes: ['Ingress', 'Egress'], ...rules };
}

/** The complete NetworkPolicy object to create for `template`. */
export function desiredNetworkPolicy(template: SandboxTemplate): NetworkPolicy & { metadata: { name: string; namespace: string } } {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: {
      name: networkPolicyName(template.metadata.name!), namespace: template.metadata.namespace!,
      ownerReferences: [controllerRefTo(templateOwner(template))],
    },
    spec: desiredNetworkPolicySpec(template),
  };
}
