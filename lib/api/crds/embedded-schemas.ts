// Which Kubernetes types our CRDs embed, and from which Kubernetes release their schemas come.
import generated from '../generated/k8s-schemas.json';
import type { SchemaNode } from './k8s-openapi';

export const K8S_SCHEMA_SOURCE_VERSION = 'v1.36.3';

export const EMBEDDED_K8S_SCHEMAS = {
  podSpec: 'io.k8s.api.core.v1.PodSpec',
  persistentVolumeClaimSpec: 'io.k8s.api.core.v1.PersistentVolumeClaimSpec',
  networkPolicyIngressRule: 'io.k8s.api.networking.v1.NetworkPolicyIngressRule',
  networkPolicyEgressRule: 'io.k8s.api.networking.v1.NetworkPolicyEgressRule',
} as const;

/** Structural schema of an embedded Kubernetes type (deep copy: callers may decorate it). */
export function embeddedSchema(key: keyof typeof EMBEDDED_K8S_SCHEMAS): SchemaNode {
  return structuredClone((generated.schemas as Record<string, SchemaNode>)[key]);
}
