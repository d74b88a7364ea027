// Resource table: group/version/plural for every kind the project talks to, and the URL paths built from it.

/** Where a resource lives in the API: enough to build its REST paths. */
export interface ResourceType {
  /** API group; '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural used in URLs. */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

function res(group: string, version: string, plural: string, kind: string, namespaced = true): ResourceType {
  return { group, version, plural, kind, namespaced };
}

/** Every resource the controller, router, SDK and tests use. Add rows here rather than building paths by hand. */
export const Resources = {
  pods: res('', 'v1', 'pods', 'Pod'),
  services: res('', 'v1', 'services', 'Service'),
  persistentVolumeClaims: res('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  events: res('', 'v1', 'events', 'Event'),
  secrets: res('', 'v1', 'secrets', 'Secret'),
  configMaps: res('', 'v1', 'configmaps', 'ConfigMap'),
  serviceAccounts: res('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  namespaces: res('', 'v1', 'namespaces', 'Namespace', false),
  nodes: res('', 'v1', 'nodes', 'Node', false),
  leases: res('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  networkPolicies: res('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy'),
  customResourceDefinitions: res('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
  sandboxes: res('agents.x-k8s.io', 'v1beta1', 'sandboxes', 'Sandbox'),
  sandboxClaims: res('extensions.agents.x-k8s.io', 'v1beta1', 'sandboxclaims', 'SandboxClaim'),
  sandboxTemplates: res('extensions.agents.x-k8s.io', 'v1beta1', 'sandboxtemplates', 'SandboxTemplate'),
  sandboxWarmPools: res('extensions.agents.x-k8s.io', 'v1beta1', 'sandboxwarmpools', 'SandboxWarmPool'),
} as const satisfies Record<string, ResourceType>;

/** `apiVersion` string of a resource, e.g. `agents.x-k8s.io/v1beta1` or `v1`. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/**
 * REST path of a collection (no name) or of one object. Cluster-scoped types ignore `namespace`; namespaced types
 * without a namespace address the all-namespaces collection (list/watch only).
 */
export function resourcePath(type: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  let path = base;
  if (type.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${type.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}
