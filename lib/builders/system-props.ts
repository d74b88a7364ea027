// Props of an agent-sandbox installation (controller, CRDs, RBAC) and their validation, shared by the
// cdk8s construct and the Pulumi component so both accept and reject exactly the same input.

import { isIP } from 'node:net';
import type { ResourceRequirements, Toleration } from 'kubernetes-types/core/v1';
import { CONTROLLER_FLAGS, ControllerFlagValues, DEFAULT_SYSTEM_NAMESPACE, validateControllerFlags } from '../api';
import { dnsLabelProblem, prometheusDurationProblem, quantityMapProblems } from './manifest';
import { DEFAULT_CONTROLLER_IMAGE } from './package-version';

export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** Prometheus Operator ServiceMonitor settings. */
export interface ServiceMonitorOptions {
  /** Scrape interval. @default "30s" */
  readonly interval?: string;
  /** Extra labels, e.g. the selector labels of your Prometheus. @default - none */
  readonly labels?: Record<string, string>;
}

export const CONTROLLER_NAME = 'agent-sandbox-controller';
/** Where a cert-manager-issued webhook certificate is mounted in the controller. */
export const WEBHOOK_CERT_DIR = '/tls';

export interface AgentSandboxSystemProps {
  /** Namespace of the controller. @default "agent-sandbox-system" */
  readonly namespace?: string;
  /** Emit the Namespace object (false when it is managed elsewhere). @default true */
  readonly createNamespace?: boolean;
  /** Emit the four CustomResourceDefinitions. @default true */
  readonly installCrds?: boolean;
  /**
   * Who issues the conversion webhook's serving certificate (v1alpha1 <-> v1beta1). `self-managed`: the controller
   * issues and rotates it and patches the CRDs' caBundle (RBAC: patch on our four CRDs only). `cert-manager`: a
   * cert-manager Issuer and Certificate are emitted, the Secret is mounted into the controller, and cert-manager's
   * CA injector keeps caBundle current (needs cert-manager and its cainjector in the cluster).
   * @default "self-managed"
   */
  readonly conversionCertificates?: 'self-managed' | 'cert-manager';
  /** Controller image. @default "ghcr.io/agent-sandbox-kit/controller:<package version>" */
  readonly image?: string;
  /** @default "IfNotPresent" */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** Names of image pull Secrets in the system namespace. @default - none */
  readonly imagePullSecrets?: readonly string[];
  /** Controller replicas; more than one requires leader election, which is then switched on. @default 1 */
  readonly replicas?: number;
  /**
   * Controller flags (typed; see CONTROLLER_FLAGS for meanings and defaults). Unset flags keep the
   * controller's default, except `extensions`, which defaults to true here because templates, warm pools
   * and claims are what this kit is for.
   * @default { extensions: true, leaderElect: true }
   */
  readonly flags?: ControllerFlagValues;
  /** @default - requests 100m CPU / 128Mi, limits 1 CPU / 512Mi, 256Mi ephemeral-storage */
  readonly resources?: ResourceRequirements;
  /** @default - none */
  readonly nodeSelector?: Record<string, string>;
  /** @default - none */
  readonly tolerations?: readonly Toleration[];
  /**
   * Priority class for the controller pods (keep it above the sandboxes it manages).
   * @default "agent-sandbox-platform" (emitted by this construct unless `createPriorityClass` is false)
   */
  readonly priorityClassName?: string;
  /** Emit the "agent-sandbox-platform" PriorityClass (the router uses it too). @default true */
  readonly createPriorityClass?: boolean;
  /** Namespace whose pods may scrape the controller's metrics; nothing else may connect to it. @default "monitoring" */
  readonly monitoringNamespace?: string;
  /** Where the API server is, for the controller's egress (ports 443 and 6443). @default ["0.0.0.0/0", "::/0"] */
  readonly apiServerCidrs?: readonly string[];
  /** Emit a PodDisruptionBudget (maxUnavailable 1, never blocks node drains). @default true */
  readonly podDisruptionBudget?: boolean;
  /** Emit a monitoring.coreos.com/v1 ServiceMonitor (needs the Prometheus Operator CRDs). @default - none */
  readonly serviceMonitor?: ServiceMonitorOptions;
}

/** Everything AgentSandboxSystemProps resolves to. */
export interface ResolvedSystemProps {
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly installCrds: boolean;
  readonly image: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly replicas: number;
  readonly flags: ControllerFlagValues;
  readonly conversionCertificates: 'self-managed' | 'cert-manager';
  /** Port of the conversion webhook; NaN when it is disabled. */
  readonly webhookPort: number;
  readonly metricsPort: number;
  readonly healthPort: number;
  readonly leaseNamespace: string;
}

/** Port of a Go-style listen address (":8080", "0.0.0.0:8080"); NaN when there is none. */
export function portOf(address: string): number {
  const match = /:(\d{1,5})$/.exec(address);
  const port = match ? Number(match[1]) : NaN;
  return port >= 1 && port <= 65535 ? port : NaN;
}

function isCidr(text: string): boolean {
  const [address, bits, ...rest] = text.split('/');
  const family = isIP(address ?? '');
  return rest.length === 0 && family !== 0 && /^\d{1,3}$/.test(bits ?? '') && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Every reason the props cannot produce a working installation, naming the prop (and flag). */
export function systemProblems(props: AgentSandboxSystemProps): string[] {
  const problems: string[] = [];
  const flags = props.flags ?? {};
  for (const p of validateControllerFlags(flags)) problems.push(`flags.${String(p.prop)} (--${p.flag}) ${p.message}`);
  const replicas = props.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1) problems.push(`replicas must be an integer >= 1 (got ${replicas})`);
  if (replicas > 1 && flags.leaderElect === false) {
    problems.push(`flags.leaderElect (--leader-elect) must not be false with replicas=${replicas}: replicas would reconcile concurrently`);
  }
  const ns = dnsLabelProblem('namespace', props.namespace ?? DEFAULT_SYSTEM_NAMESPACE);
  if (ns) problems.push(ns);
  for (const prop of ['metricsBindAddress', 'healthProbeBindAddress'] as const) {
    const address = flags[prop];
    if (address !== undefined && Number.isNaN(portOf(address))) problems.push(`flags.${prop} ${JSON.stringify(address)} must end in a port, e.g. ":8080"`);
  }
  if (props.image !== undefined && props.image.trim() === '') problems.push('image must not be empty');
  const monitoring = props.monitoringNamespace === undefined ? undefined : dnsLabelProblem('monitoringNamespace', props.monitoringNamespace);
  if (monitoring) problems.push(monitoring);
  for (const cidr of props.apiServerCidrs ?? []) if (!isCidr(cidr)) problems.push(`apiServerCidrs: ${JSON.stringify(cidr)} is not a CIDR`);
  problems.push(...quantityMapProblems('resources.requests', props.resources?.requests), ...quantityMapProblems('resources.limits', props.resources?.limits));
  const interval = prometheusDurationProblem('serviceMonitor.interval', props.serviceMonitor?.interval);
  if (interval) problems.push(interval);
  return problems;
}

/** Applies defaults; call only when systemProblems() returned nothing. */
export function resolveSystemProps(props: AgentSandboxSystemProps): ResolvedSystemProps {
  const namespace = props.namespace ?? DEFAULT_SYSTEM_NAMESPACE;
  const replicas = props.replicas ?? 1;
  const conversionCertificates = props.conversionCertificates ?? 'self-managed';
  const flags: ControllerFlagValues = {
    conversionWebhookHosts: `${CONTROLLER_NAME}.${namespace}.svc`,
    ...(conversionCertificates === 'cert-manager' ? { conversionWebhookCertDir: WEBHOOK_CERT_DIR, conversionWebhookManageCaBundle: false } : {}),
    ...props.flags,
    extensions: props.flags?.extensions ?? true,
    leaderElect: replicas > 1 ? true : props.flags?.leaderElect ?? true,
  };
  return {
    namespace,
    createNamespace: props.createNamespace ?? true,
    installCrds: props.installCrds ?? true,
    image: props.image ?? DEFAULT_CONTROLLER_IMAGE,
    imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
    replicas,
    flags,
    conversionCertificates,
    webhookPort: portOf(flags.conversionWebhookBindAddress ?? CONTROLLER_FLAGS.conversionWebhookBindAddress.default),
    metricsPort: portOf(flags.metricsBindAddress ?? CONTROLLER_FLAGS.metricsBindAddress.default),
    healthPort: portOf(flags.healthProbeBindAddress ?? CONTROLLER_FLAGS.healthProbeBindAddress.default),
    leaseNamespace: flags.leaderElectionNamespace || namespace,
  };
}
