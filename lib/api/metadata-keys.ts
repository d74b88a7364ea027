// Label and annotation keys shared by the controller, builders, router and SDK. Exact upstream keys:
// the same YAML and clients must work against either controller.

/** Labels. */
export const LABEL = {
  /** NameHash(sandbox name) on the Pod, Service and PVCs of a Sandbox; the Service selector. */
  sandboxNameHash: 'agents.x-k8s.io/sandbox-name-hash',
  /** NameHash(template name) on templates, template-derived Sandboxes and their Pods; NetworkPolicy selector. */
  templateRefHash: 'agents.x-k8s.io/sandbox-template-ref-hash',
  /** NameHash(pool name) on pool members and their Pods; removed on adoption. */
  warmPoolSandbox: 'agents.x-k8s.io/warm-pool-sandbox',
  /** NameHash of the template blueprint a pool member was built from; staleness detection. */
  templateHash: 'agents.x-k8s.io/sandbox-template-hash',
  /** Deprecated upstream: NameHash of the template pod template. Written for compatibility. */
  podTemplateHash: 'agents.x-k8s.io/sandbox-pod-template-hash',
  /** `cold` or `warm`. */
  launchType: 'agents.x-k8s.io/launch-type',
  /** Who asked: `python-client`, `go-client`, `ts-client`, `controller`, normalised to `unknown` otherwise. */
  createdBy: 'agents.x-k8s.io/created-by',
  /** UID of the claim a Sandbox serves. */
  claimUid: 'agents.x-k8s.io/claim-uid',
  /** `"true"` authorises adoption of a pre-existing unowned Pod, Service or PVC. */
  adoptable: 'agents.x-k8s.io/adoptable',
  /** Pods of the sandbox router carry this label; template NetworkPolicies admit only them. */
  routerApp: 'app',
} as const;

/** Annotations. */
export const ANNOTATION = {
  podName: 'agents.x-k8s.io/pod-name',
  /** On a pod template (ours): comma-separated ports the sandbox router may proxy to; unset, any port of the pod. */
  routerPorts: 'agent-sandbox-kit.dev/router-ports',
  templateRef: 'agents.x-k8s.io/sandbox-template-ref',
  propagatedLabels: 'agents.x-k8s.io/propagated-labels',
  propagatedAnnotations: 'agents.x-k8s.io/propagated-annotations',
  /** On a claim: the Sandbox it adopted. */
  sandboxName: 'agents.x-k8s.io/sandbox-name',
  controllerFirstObservedAt: 'agents.x-k8s.io/controller-first-observed-at',
  clientFirstRequestedAt: 'agents.x-k8s.io/client-first-requested-at',
  webhookFirstObservedAt: 'agents.x-k8s.io/webhook-first-observed-at',
  claimFirstReadyAt: 'agents.x-k8s.io/claim-first-ready-at',
  traceContext: 'opentelemetry.io/trace-context',
  safeToEvict: 'cluster-autoscaler.kubernetes.io/safe-to-evict',
  /**
   * On a Sandbox (ours): when the router (or SDK direct mode) last saw a request for it, RFC 3339; written at most once
   * per sandbox per activity interval. The controller's idle timeout counts from it.
   */
  lastActivity: 'agent-sandbox-kit.dev/last-activity',
  /** On a Sandbox (ours): why the controller set operatingMode Suspended (`idle`, `actions-complete`, `shutdown-time`). */
  suspendReason: 'agent-sandbox-kit.dev/suspend-reason',
  /** Written by our guardrails: why a rule was exempted for this object. */
  guardrailExemptions: 'agent-sandbox-kit.dev/guardrail-exemptions',
} as const;

/**
 * Labels the controller's pods carry: sandbox NetworkPolicies admit them on the runtime port, through which the
 * controller runs startup actions.
 */
export const CONTROLLER_POD_LABELS: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'agent-sandbox-controller' };

/** Label value the sandbox router's pods carry (key LABEL.routerApp). */
export const ROUTER_APP_VALUE = 'sandbox-router';

/**
 * Node label (value: runtime family, e.g. `gvisor`, `kata`) and matching NoSchedule taint key that keep
 * sandbox pods on nodes with that runtime installed; RuntimeClass scheduling selects and tolerates it.
 */
export const RUNTIME_NODE_LABEL = 'agent-sandbox-kit.dev/runtime';

/** Namespace of the controller and the sandbox router unless an installation chooses another. */
export const DEFAULT_SYSTEM_NAMESPACE = 'agent-sandbox-system';

/** Known `created-by` values; anything else is reported as `unknown`. */
export const CREATED_BY_VALUES = ['go-client', 'python-client', 'ts-client', 'controller'] as const;

/** Keys under these prefixes are system keys: never copied from a pod template to a Pod. */
export const RESERVED_PREFIXES = ['agents.x-k8s.io/', 'extensions.agents.x-k8s.io/'] as const;

/** True for label/annotation keys users may not set through templates or claims. */
export function isSystemKey(key: string, kind: 'label' | 'annotation'): boolean {
  if (RESERVED_PREFIXES.some((p) => key.startsWith(p))) return true;
  return kind === 'annotation' && key === ANNOTATION.traceContext;
}

/** Normalises a created-by label value to the allow-list (metrics and Pod labels). */
export function normaliseCreatedBy(value: string | undefined): string {
  return value !== undefined && (CREATED_BY_VALUES as readonly string[]).includes(value) ? value : 'unknown';
}
