// The sandbox router as plain objects: ServiceAccount + least-privilege RBAC (watch Sandboxes and Nodes, create
// TokenReviews and SubjectAccessReviews), Deployment (restricted, `app: sandbox-router` so template NetworkPolicies admit it),
// Service `sandbox-router-svc`, PodDisruptionBudget and a NetworkPolicy limiting its egress to sandbox
// pods, DNS and the API server.

import type { Deployment } from 'kubernetes-types/apps/v1';
import type { ResourceRequirements, Service, ServiceAccount } from 'kubernetes-types/core/v1';
import type { NetworkPolicy, NetworkPolicyPeer } from 'kubernetes-types/networking/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import { CORE_GROUP, DEFAULT_SYSTEM_NAMESPACE, LABEL, ROUTER_APP_VALUE, SANDBOX } from '../api';
import { exemptionAnnotations } from '../policy/exemptions';
import { RULE } from '../policy/rule-ids';
import { assertNoProblems, compact, dnsLabelProblem, type Built, type Manifest } from './manifest';
import { DEFAULT_CONTROLLER_IMAGE } from './package-version';
import { ANY_ADDRESS, DEFAULT_MONITORING_NAMESPACE, dnsAndApiServerEgress, metricsFromMonitoring, PLATFORM_PRIORITY_CLASS_NAME } from './platform';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './secure-defaults';
import { namesSomeone, subjects, type TeamAgents } from './subjects';
import type { ImagePullPolicy } from './system-props';

export const ROUTER_NAME = 'sandbox-router';
/** The Service name upstream SDKs port-forward to. */
export const ROUTER_SERVICE_NAME = 'sandbox-router-svc';
/** The router ships in the controller image (same code base, one image to build and scan); it runs another entry point. */
export const DEFAULT_ROUTER_IMAGE = DEFAULT_CONTROLLER_IMAGE;
/** Entry point of the router inside that image (see the Dockerfile). */
export const ROUTER_COMMAND = ['node', 'build/lib/router/main.js'];
const SCOPED_TOKEN_MOUNT = '/etc/sandbox-router/scoped-token';

export type RouterAuthzMode = 'allow-all' | 'tokenreview' | 'scoped-token';

export interface SandboxRouterProps {
  /** Namespace of the router; template NetworkPolicies admit routers in agent-sandbox-system only. @default "agent-sandbox-system" */
  readonly namespace?: string;
  /**
   * Image to run. It must contain the router at the path of ROUTER_COMMAND.
   * @default "ghcr.io/agent-sandbox-kit/controller:<package version>" (the controller image carries the router)
   */
  readonly image?: string;
  /** @default "IfNotPresent" */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** @default 2 */
  readonly replicas?: number;
  /**
   * How callers are admitted. `tokenreview`: a Kubernetes token, authenticated and then authorized per sandbox
   * (verb `create` on `sandboxes/proxy`, see TeamSandboxes); `scoped-token`: an HMAC token naming one sandbox;
   * `allow-all`: local development only. @default "tokenreview"
   */
  readonly authzMode?: RouterAuthzMode;
  /**
   * Admit connections that arrive through `kubectl port-forward` to a router Pod without a token: the API server
   * has already authorized them (`pods/portforward` in the router's namespace, so grant that only to whoever may
   * reach every sandbox), and no other pod can produce one. It is what upstream's Python SDK does by default.
   * @default true
   */
  readonly trustPortForward?: boolean;
  /**
   * Who may open `kubectl port-forward svc/sandbox-router-svc` (upstream's Python SDK's default tunnel mode): a Role
   * `sandbox-router-tunnel` in the router's namespace to read the router Service, find its Pods and port-forward to
   * them. With `trustPortForward` they reach every sandbox through the router without a token. `pods/portforward`
   * cannot be limited to the router's Pods by name, so they may also port-forward to any other Pod of this namespace
   * (the controller's: its metrics, probes and conversion webhook). @default - none
   */
  readonly tunnelAccess?: TeamAgents;
  /** Secret (key `secret`, ≥ 32 bytes) holding the scoped-token HMAC key; required with `scoped-token`. @default - none */
  readonly scopedTokenSecretName?: string;
  /** Only route to Sandboxes in this namespace. @default - all namespaces */
  readonly cacheNamespace?: string;
  /** @default "cluster.local" */
  readonly clusterDomain?: string;
  /** Total time per unary proxied request (streamed responses: `streamIdleTimeoutSeconds`). @default 180 */
  readonly proxyTimeoutSeconds?: number;
  /** A streamed response (e.g. streamed exec) is closed after this long without a byte. @default 360 */
  readonly streamIdleTimeoutSeconds?: number;
  /** Idle time before a connection with no request in flight is closed. @default 60 */
  readonly idleTimeoutSeconds?: number;
  /**
   * How long an authorized request to a suspended sandbox is held while the router resumes it (then 503 with
   * Retry-After); 0 turns resume on request off. Must stay below `idleTimeoutSeconds`. @default 30
   */
  readonly resumeHoldSeconds?: number;
  /** Concurrent proxied requests per replica; more get 503. @default 1024 */
  readonly maxInflightRequests?: number;
  /** Requests waiting for a connection to one sandbox; more get 503 with Retry-After. @default 1024 */
  readonly maxQueuedRequestsPerSandbox?: number;
  /** TokenReviews plus SubjectAccessReviews per second per replica; past it, callers get 429. @default 50 */
  readonly authzApiCallsPerSecond?: number;
  /**
   * The only ports callers may name in `X-Sandbox-Port` (a pod template can narrow it per sandbox with the
   * `agent-sandbox-kit.dev/router-ports` annotation). @default - any port of the sandbox's own pod
   */
  readonly allowedSandboxPorts?: readonly number[];
  /** Port of the in-sandbox runtime the router may reach. @default 8888 */
  readonly sandboxPort?: number;
  /** Who may call the router. @default - pods in any namespace */
  readonly allowedClients?: readonly NetworkPolicyPeer[];
  /** @default requests 250m/256Mi, limits 2 CPU/1Gi, 256Mi ephemeral-storage */
  readonly resources?: ResourceRequirements;
  /** @default true */
  readonly podDisruptionBudget?: boolean;
  /** Namespace whose pods may scrape the router's metrics. @default "monitoring" */
  readonly monitoringNamespace?: string;
  /** Priority class of the router pods (AgentSandboxSystem emits the default one). @default "agent-sandbox-platform" */
  readonly priorityClassName?: string;
}

/** Every problem with `props`, each naming the field. */
export function routerProblems(props: SandboxRouterProps): string[] {
  const problems: Array<string | undefined> = [
    dnsLabelProblem('namespace', props.namespace ?? DEFAULT_SYSTEM_NAMESPACE),
    props.cacheNamespace === undefined ? undefined : dnsLabelProblem('cacheNamespace', props.cacheNamespace),
    props.monitoringNamespace === undefined ? undefined : dnsLabelProblem('monitoringNamespace', props.monitoringNamespace),
  ];
  const positiveInts: Array<[string, number | undefined]> = [
    ['replicas', props.replicas], ['proxyTimeoutSeconds', props.proxyTimeoutSeconds], ['streamIdleTimeoutSeconds', props.streamIdleTimeoutSeconds],
    ['idleTimeoutSeconds', props.idleTimeoutSeconds],
    ['maxInflightRequests', props.maxInflightRequests], ['sandboxPort', props.sandboxPort],
    ['maxQueuedRequestsPerSandbox', props.maxQueuedRequestsPerSandbox], ['authzApiCallsPerSecond', props.authzApiCallsPerSecond],
  ];
  for (const [field, value] of positiveInts) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) problems.push(`${field} must be a positive integer (got ${value})`);
  }
  const hold = props.resumeHoldSeconds;
  if (hold !== undefined && !(Number.isInteger(hold) && hold >= 0)) problems.push(`resumeHoldSeconds must be a non-negative integer (got ${hold})`);
  else if (hold !== undefined && hold >= (props.idleTimeoutSeconds ?? 60)) {
    problems.push(`resumeHoldSeconds (${hold}) must be below idleTimeoutSeconds (${props.idleTimeoutSeconds ?? 60}), which closes a connection whose request is still held`);
  }
  if (props.sandboxPort !== undefined && props.sandboxPort > 65535) problems.push(`sandboxPort must be at most 65535 (got ${props.sandboxPort})`);
  for (const port of props.allowedSandboxPorts ?? []) {
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) problems.push(`allowedSandboxPorts must hold ports 1-65535 (got ${port})`);
  }
  if (props.allowedSandboxPorts?.length === 0) problems.push('allowedSandboxPorts is empty: leave it out to allow any port of the sandbox');
  if (props.authzMode === 'scoped-token' && !props.scopedTokenSecretName) problems.push('scopedTokenSecretName is required when authzMode is "scoped-token"');
  if (props.tunnelAccess && !namesSomeone(props.tunnelAccess)) problems.push('tunnelAccess must name at least one group, service account or user (or be left out)');
  if (props.scopedTokenSecretName && props.authzMode !== 'scoped-token') problems.push('scopedTokenSecretName is only used when authzMode is "scoped-token"');
  return problems.filter((p): p is string => p !== undefined);
}

export function routerSelector(): Record<string, string> {
  return { [LABEL.routerApp]: ROUTER_APP_VALUE, 'app.kubernetes.io/name': ROUTER_NAME };
}

const routerLabels = (): Record<string, string> => ({ ...routerSelector(), 'app.kubernetes.io/component': ROUTER_NAME, 'app.kubernetes.io/part-of': 'agent-sandbox' });

/**
 * Only what the router does: watch Sandboxes, watch Nodes (it never dials a node's address), and in `tokenreview`
 * mode authenticate callers (TokenReview) and authorize them per sandbox (SubjectAccessReview).
 */
export function routerRules(authzMode: RouterAuthzMode): PolicyRule[] {
  const rules: PolicyRule[] = [
    { apiGroups: [CORE_GROUP], resources: [SANDBOX.plural], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
  ];
  if (authzMode === 'tokenreview') {
    rules.push(
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    );
  }
  return rules;
}

function routerArgs(props: SandboxRouterProps, authzMode: RouterAuthzMode): string[] {
  const flags: Record<string, string | number | undefined> = {
    'http-bind-address': ':8080', 'metrics-bind-address': ':9090', 'health-probe-bind-address': ':8081',
    'authz-mode': authzMode, 'cluster-domain': props.clusterDomain, 'cache-namespace': props.cacheNamespace,
    'proxy-timeout-seconds': props.proxyTimeoutSeconds, 'stream-idle-timeout-seconds': props.streamIdleTimeoutSeconds,
    'idle-timeout-seconds': props.idleTimeoutSeconds, 'resume-hold-seconds': props.resumeHoldSeconds,
    'max-inflight-requests': props.maxInflightRequests,
    'max-queued-requests-per-sandbox': props.maxQueuedRequestsPerSandbox,
    'authz-api-calls-per-second': props.authzApiCallsPerSecond,
    'allowed-sandbox-ports': props.allowedSandboxPorts?.join(','),
    'authz-scoped-token-secret-file': authzMode === 'scoped-token' ? `${SCOPED_TOKEN_MOUNT}/secret` : undefined,
    'authz-trust-port-forward': authzMode !== 'allow-all' && (props.trustPortForward ?? true) ? 'true' : undefined,
  };
  return Object.entries(flags).filter(([, v]) => v !== undefined).map(([k, v]) => `--${k}=${v}`);
}

function deployment(props: SandboxRouterProps, namespace: string, authzMode: RouterAuthzMode): Built<Deployment> {
  const probe = (path: string) => ({ httpGet: { path, port: 'health' }, periodSeconds: 10 });
  const secretVolume = authzMode === 'scoped-token';
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: {
      name: ROUTER_NAME, namespace, labels: routerLabels(),
      annotations: exemptionAnnotations({
        [RULE.runtimeClass]: 'The router is trusted infrastructure, not agent code; it runs on the default runtime.',
        [RULE.noServiceAccountToken]: 'The router watches Sandboxes and Nodes and calls TokenReview and SubjectAccessReview, so it needs its service-account token.',
      }),
    },
    spec: {
      replicas: props.replicas ?? 2,
      selector: { matchLabels: routerSelector() },
      template: {
        metadata: { labels: routerLabels() },
        spec: compact({
          serviceAccountName: ROUTER_NAME,
          automountServiceAccountToken: true,
          priorityClassName: props.priorityClassName ?? PLATFORM_PRIORITY_CLASS_NAME,
          // Replicas over nodes and zones, so one node or zone outage leaves the router up (best effort).
          topologySpreadConstraints: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
            maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: routerSelector() },
          })),
          securityContext: restrictedPodSecurityContext(),
          containers: [{
            name: 'router',
            image: props.image ?? DEFAULT_ROUTER_IMAGE,
            imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
            command: [...ROUTER_COMMAND],
            args: routerArgs(props, authzMode),
            ports: [
              { name: 'http', containerPort: 8080, protocol: 'TCP' },
              { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
              { name: 'health', containerPort: 8081, protocol: 'TCP' },
            ],
            livenessProbe: probe('/healthz'),
            readinessProbe: probe('/readyz'),
            // ephemeral-storage: logs only (read-only root filesystem, no volumes).
            resources: props.resources ?? { requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '256Mi' }, limits: { cpu: '2', memory: '1Gi', 'ephemeral-storage': '256Mi' } },
            securityContext: restrictedContainerSecurityContext(),
            volumeMounts: secretVolume ? [{ name: 'scoped-token', mountPath: SCOPED_TOKEN_MOUNT, readOnly: true }] : undefined,
          }],
          volumes: secretVolume ? [{ name: 'scoped-token', secret: { secretName: props.scopedTokenSecretName!, defaultMode: 0o400 } }] : undefined,
        }),
      },
    },
  };
}

function networkPolicy(props: SandboxRouterProps, namespace: string): Built<NetworkPolicy> {
  const sandboxPods: NetworkPolicyPeer = {
    namespaceSelector: props.cacheNamespace ? { matchLabels: { 'kubernetes.io/metadata.name': props.cacheNamespace } } : {},
    podSelector: { matchExpressions: [{ key: LABEL.sandboxNameHash, operator: 'Exists' }] },
  };
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: ROUTER_NAME, namespace, labels: routerLabels() },
    spec: {
      podSelector: { matchLabels: routerSelector() },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: props.allowedClients ? structuredClone([...props.allowedClients]) : [{ namespaceSelector: {} }], ports: [{ port: 8080, protocol: 'TCP' }] },
        metricsFromMonitoring(props.monitoringNamespace ?? DEFAULT_MONITORING_NAMESPACE, 9090),
      ],
      egress: [
        { to: [sandboxPods], ports: [{ port: props.sandboxPort ?? 8888, protocol: 'TCP' }] },
        ...dnsAndApiServerEgress(ANY_ADDRESS),
      ],
    },
  };
}

/** Builds every object of the router. Throws when routerProblems() reports any. */
export function buildRouter(props: SandboxRouterProps = {}): Manifest[] {
  assertNoProblems('SandboxRouter', routerProblems(props));
  const namespace = props.namespace ?? DEFAULT_SYSTEM_NAMESPACE;
  const authzMode = props.authzMode ?? 'tokenreview';
  const labels = routerLabels();
  const serviceAccount: Built<ServiceAccount> = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: ROUTER_NAME, namespace, labels }, automountServiceAccountToken: false };
  const role: Built<ClusterRole> = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: ROUTER_NAME, labels }, rules: routerRules(authzMode) };
  const binding: Built<ClusterRoleBinding> = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: ROUTER_NAME, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ROUTER_NAME },
    subjects: [{ kind: 'ServiceAccount', name: ROUTER_NAME, namespace }],
  };
  const service: Built<Service> = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: ROUTER_SERVICE_NAME, namespace, labels },
    spec: { selector: routerSelector(), ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }] },
  };
  const pdb: Built<PodDisruptionBudget> = {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: ROUTER_NAME, namespace, labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: routerSelector() } },
  };
  return [
    serviceAccount, role, binding, deployment(props, namespace, authzMode), service,
    ...(props.podDisruptionBudget ?? true ? [pdb] : []),
    networkPolicy(props, namespace),
    ...(props.tunnelAccess ? routerTunnelRbac(props.tunnelAccess, namespace, labels) : []),
  ];
}

/** The Role and RoleBinding of `tunnelAccess` (see SandboxRouterProps), in the router's namespace. */
export function routerTunnelRbac(who: TeamAgents, namespace = DEFAULT_SYSTEM_NAMESPACE, labels: Record<string, string> = {}): Manifest[] {
  const name = `${ROUTER_NAME}-tunnel`;
  const role: Built<Role> = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace, labels },
    rules: [
      { apiGroups: [''], resources: ['services'], resourceNames: [ROUTER_SERVICE_NAME], verbs: ['get'] },
      // kubectl resolves the Service to one of its Pods, whose names change: no resourceNames possible.
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] },
    ],
  };
  const binding: Built<RoleBinding> = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: subjects(who, namespace),
  };
  return [role, binding];
}

/**
 * What the router needs in a namespace it serves for idle suspend and resume on request: `patch` on Sandboxes there
 * (the last-activity annotation; operatingMode Running for an authorized request to a suspended sandbox). A Role and
 * RoleBinding per served namespace, so the router can wake or touch no sandbox elsewhere. TeamSandboxes adds it.
 */
export function routerLifecycleRbac(namespace: string, routerNamespace = DEFAULT_SYSTEM_NAMESPACE, labels: Record<string, string> = {}): Manifest[] {
  const name = `${ROUTER_NAME}-lifecycle`;
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace, labels },
    rules: [{ apiGroups: [CORE_GROUP], resources: [SANDBOX.plural], verbs: ['patch'] }],
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: ROUTER_NAME, namespace: routerNamespace }],
  };
  return [role, binding];
}
