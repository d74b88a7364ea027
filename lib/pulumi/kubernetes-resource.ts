// Turns one plain Kubernetes object (as the builders produce it) into one Pulumi resource, so every object
// gets its own diff: the typed @pulumi/kubernetes class for built-in kinds, CustomResource for everything else.

import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';

/** A Kubernetes object as produced by lib/builders: plain data, fully resolved except for deferred values. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: pulumi.Input<string> };
}

type ResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** Built-in kinds the kit emits, keyed `apiVersion/kind`; typed classes give typed outputs and CrossGuard matching. */
const typedClasses: Record<string, ResourceClass> = {
  'v1/Namespace': k8s.core.v1.Namespace,
  'v1/ServiceAccount': k8s.core.v1.ServiceAccount,
  'v1/Service': k8s.core.v1.Service,
  'v1/ConfigMap': k8s.core.v1.ConfigMap,
  'v1/Secret': k8s.core.v1.Secret,
  'v1/ResourceQuota': k8s.core.v1.ResourceQuota,
  'v1/LimitRange': k8s.core.v1.LimitRange,
  'apps/v1/Deployment': k8s.apps.v1.Deployment,
  'rbac.authorization.k8s.io/v1/ClusterRole': k8s.rbac.v1.ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': k8s.rbac.v1.ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': k8s.rbac.v1.Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': k8s.rbac.v1.RoleBinding,
  'node.k8s.io/v1/RuntimeClass': k8s.node.v1.RuntimeClass,
  'networking.k8s.io/v1/NetworkPolicy': k8s.networking.v1.NetworkPolicy,
  'policy/v1/PodDisruptionBudget': k8s.policy.v1.PodDisruptionBudget,
  'scheduling.k8s.io/v1/PriorityClass': k8s.scheduling.v1.PriorityClass,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': k8s.apiextensions.v1.CustomResourceDefinition,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': k8s.admissionregistration.v1.ValidatingAdmissionPolicy,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding':
    k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding,
};

/**
 * Pulumi resource name of an object: unique per kind within a stack, readable in `pulumi preview`.
 * `namespace/name`; when the namespace is known only at deploy time, `<component name>/name` instead.
 */
export function resourceName(obj: KubernetesObject, component: string): string {
  const { name, namespace } = obj.metadata;
  if (!name) throw new Error(`${obj.kind} without metadata.name: every object needs a name to get a Pulumi resource`);
  if (namespace === undefined) return name;
  return typeof namespace === 'string' ? `${namespace}/${name}` : `${component}/${name}`;
}

/** Creates the Pulumi resource for one object of the component named `component`. */
export function kubernetesResource(obj: KubernetesObject, component: string, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const typed = typedClasses[`${obj.apiVersion}/${obj.kind}`];
  const { apiVersion, kind, ...rest } = ownRealm(obj) as KubernetesObject;
  if (typed) return new typed(resourceName(obj, component), rest, opts);
  return new k8s.apiextensions.CustomResource(resourceName(obj, component), { apiVersion, kind, ...rest }, opts);
}

/**
 * Deep copy into this realm's Array/Object. Pulumi serialises with `instanceof Array`, so an array made in
 * another JavaScript realm (structuredClone under jest's vm sandbox, for one) would be sent as a map of
 * indices and rejected by the API server ("expected list, got map[0:...]"). Outputs are kept as they are.
 */
function ownRealm(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from(value, ownRealm);
  if (Object.prototype.toString.call(value) === '[object Object]' && !pulumi.Output.isInstance(value)) {
    return Object.fromEntries(Object.entries(value as object).map(([key, item]) => [key, ownRealm(item)]));
  }
  return value;
}

/**
 * Objects every other object may need to exist first: the namespaces they live in, the CRDs defining them and
 * the PriorityClasses their pods name (admission rejects a pod whose class does not exist yet).
 */
function isFoundation(obj: KubernetesObject): boolean {
  return obj.kind === 'Namespace' || obj.kind === 'CustomResourceDefinition' || obj.kind === 'PriorityClass';
}

/**
 * Creates one resource per object, foundations (Namespaces, CRDs, PriorityClasses) first and everything else depending on them,
 * so a single `pulumi up` never applies a custom resource before its CRD or an object before its namespace.
 */
export function kubernetesResources(
  objects: readonly KubernetesObject[],
  component: string,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource[] {
  const foundations = objects.filter(isFoundation).map((obj) => kubernetesResource(obj, component, opts));
  const dependsOn = [...toArray(opts.dependsOn), ...foundations];
  const rest = objects.filter((obj) => !isFoundation(obj)).map((obj) => kubernetesResource(obj, component, { ...opts, dependsOn }));
  return [...foundations, ...rest];
}

function toArray(dependsOn: pulumi.CustomResourceOptions['dependsOn']): pulumi.Input<pulumi.Resource>[] {
  if (dependsOn === undefined) return [];
  return Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}
