// API groups, versions, kinds and resource names of the agent-sandbox API (upstream-compatible).

export const CORE_GROUP = 'agents.x-k8s.io';
export const EXTENSIONS_GROUP = 'extensions.agents.x-k8s.io';
export const API_VERSION = 'v1beta1';

/** Identity of one of our kinds: everything needed to build URLs, owner references and CRDs. */
export interface KindInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  /** `group/version`, the apiVersion field of objects of this kind. */
  readonly apiVersion: string;
  /** `plural.group`, the name of this kind's CustomResourceDefinition. */
  readonly crdName: string;
}

function kind(group: string, name: string, plural: string, shortNames: string[]): KindInfo {
  return {
    group, version: API_VERSION, kind: name, plural, singular: name.toLowerCase(), shortNames,
    apiVersion: `${group}/${API_VERSION}`, crdName: `${plural}.${group}`,
  };
}

// Upstream's short names first (kept for compatibility), then short ones of our own for typing.
export const SANDBOX = kind(CORE_GROUP, 'Sandbox', 'sandboxes', ['sandbox', 'sbx']);
export const SANDBOX_TEMPLATE = kind(EXTENSIONS_GROUP, 'SandboxTemplate', 'sandboxtemplates', ['sandboxtemplate', 'sbxt']);
export const SANDBOX_WARM_POOL = kind(EXTENSIONS_GROUP, 'SandboxWarmPool', 'sandboxwarmpools', ['swp']);
export const SANDBOX_CLAIM = kind(EXTENSIONS_GROUP, 'SandboxClaim', 'sandboxclaims', ['sandboxclaim', 'sbxc']);

/** The CRDs' category: `kubectl get agent-sandbox` lists objects of all four kinds. */
export const API_CATEGORY = 'agent-sandbox';

export const ALL_KINDS: readonly KindInfo[] = [SANDBOX, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL, SANDBOX_CLAIM];

/**
 * The permission the sandbox router checks (SubjectAccessReview) before proxying to a Sandbox, in the manner of
 * `nodes/proxy`: verb `create` on `sandboxes/proxy` of that Sandbox (namespace and name). Grant it with RBAC.
 */
export const SANDBOX_PROXY_ACCESS = { group: CORE_GROUP, resource: SANDBOX.plural, subresource: 'proxy', verb: 'create' } as const;
