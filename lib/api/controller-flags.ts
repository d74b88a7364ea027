// The controller's command-line flags: one table shared by the constructs (which render Deployment
// args from it) and the controller (which parses its argv with it), so the two can never disagree.
// Names and defaults follow upstream agent-sandbox-controller; flags we do not implement are absent
// (an unknown flag is an error, never silently ignored).

import { parseDuration } from './duration';

/** How a flag's value is written on the command line and checked. */
export type FlagKind = 'bool' | 'int' | 'float' | 'duration' | 'string';

interface FlagSpec<K extends FlagKind, T> {
  /** Command-line name without the leading dashes. */
  readonly flag: string;
  readonly kind: K;
  readonly default: T;
  /** One line of help, shown by `--help` and in the construct docs. */
  readonly help: string;
  /** Returns a problem description when the value is out of range. */
  readonly check?: (value: T) => string | undefined;
}

type AnyFlagSpec =
  | FlagSpec<'bool', boolean>
  | FlagSpec<'int', number>
  | FlagSpec<'float', number>
  | FlagSpec<'duration', string>
  | FlagSpec<'string', string>;

const atLeast = (min: number) => (v: number) => (v >= min ? undefined : `must be >= ${min}`);
const positiveDuration = (v: string) => (parseDuration(v) > 0 ? undefined : 'must be a positive duration');
const logLevels = ['debug', 'info', 'warn', 'error'];

/**
 * Every controller flag, keyed by the camelCase name used in construct props.
 * Keep entries in the order `--help` should list them.
 */
export const CONTROLLER_FLAGS = {
  kubeconfig: { flag: 'kubeconfig', kind: 'string', default: '', help: 'Path to a kubeconfig; empty uses in-cluster config or $KUBECONFIG.' },
  metricsBindAddress: { flag: 'metrics-bind-address', kind: 'string', default: ':8080', help: 'Address of the Prometheus /metrics endpoint.' },
  healthProbeBindAddress: { flag: 'health-probe-bind-address', kind: 'string', default: ':8081', help: 'Address of the /healthz and /readyz endpoints.' },
  conversionWebhookBindAddress: { flag: 'conversion-webhook-bind-address', kind: 'string', default: ':9443', help: 'Address of the HTTPS CRD conversion webhook (v1alpha1 <-> v1beta1); 0 disables it.' },
  conversionWebhookHosts: { flag: 'conversion-webhook-hosts', kind: 'string', default: 'localhost,127.0.0.1', help: 'Comma-separated DNS names and IPs of the self-managed webhook certificate (the controller Service name in a cluster).', check: (v: string) => (v.split(',').some((h) => h.trim()) ? undefined : 'must name at least one host') },
  conversionWebhookCertDir: { flag: 'conversion-webhook-cert-dir', kind: 'string', default: '', help: 'Directory with tls.crt and tls.key kept current by another issuer (cert-manager); empty: the controller issues and rotates its own certificate.' },
  conversionWebhookManageCaBundle: { flag: 'conversion-webhook-manage-ca-bundle', kind: 'bool', default: true, help: 'Patch the four CRDs\' conversion caBundle with the self-managed CA (false when a CA injector does it).' },
  conversionWebhookCertValidity: { flag: 'conversion-webhook-cert-validity', kind: 'duration', default: '2160h', help: 'Lifetime of a self-managed webhook certificate; it is replaced at two thirds of it.', check: positiveDuration },
  leaderElect: { flag: 'leader-elect', kind: 'bool', default: true, help: 'Elect a leader through a Lease so only one replica reconciles.' },
  leaderElectionNamespace: { flag: 'leader-election-namespace', kind: 'string', default: '', help: 'Namespace of the leader-election Lease; empty means the pod\'s own namespace.' },
  extensions: { flag: 'extensions', kind: 'bool', default: false, help: 'Run the SandboxTemplate, SandboxWarmPool and SandboxClaim controllers.' },
  clusterDomain: { flag: 'cluster-domain', kind: 'string', default: 'cluster.local', help: 'Cluster DNS suffix used in status.serviceFQDN.' },
  kubeApiQps: { flag: 'kube-api-qps', kind: 'float', default: -1, help: 'Client-side API request rate; negative disables the client-side limiter.', check: (v: number) => (v === 0 ? 'must not be 0 (use a negative value to disable the limiter)' : undefined) },
  kubeApiBurst: { flag: 'kube-api-burst', kind: 'int', default: 10, help: 'Client-side API request burst.', check: atLeast(1) },
  apiConnections: { flag: 'api-connections', kind: 'int', default: 1, help: 'Number of connections non-watch API traffic is spread over.', check: atLeast(1) },
  separateWatchConnection: { flag: 'separate-watch-connection', kind: 'bool', default: false, help: 'Use a dedicated connection for list/watch so write bursts cannot starve watches.' },
  sandboxConcurrentWorkers: { flag: 'sandbox-concurrent-workers', kind: 'int', default: 100, help: 'Concurrent Sandbox reconciles.', check: atLeast(1) },
  sandboxClaimConcurrentWorkers: { flag: 'sandbox-claim-concurrent-workers', kind: 'int', default: 50, help: 'Concurrent SandboxClaim reconciles.', check: atLeast(1) },
  sandboxWarmPoolConcurrentWorkers: { flag: 'sandbox-warm-pool-concurrent-workers', kind: 'int', default: 1, help: 'Concurrent SandboxWarmPool reconciles.', check: atLeast(1) },
  sandboxTemplateConcurrentWorkers: { flag: 'sandbox-template-concurrent-workers', kind: 'int', default: 1, help: 'Concurrent SandboxTemplate reconciles.', check: atLeast(1) },
  sandboxStatusCoalesceWindow: { flag: 'sandbox-status-coalesce-window', kind: 'duration', default: '1s', help: 'How long a starting Sandbox\'s not-yet-Ready status writes are held back and merged into one; 0s writes every change at once.' },
  claimBurstQuietPeriod: { flag: 'claim-burst-quiet-period', kind: 'duration', default: '250ms', help: 'Pool refills, Pod metadata follow-ups of adopted Sandboxes and Events wait until no claim has arrived for this long, so a burst of claims gets the API server first; 0s disables.' },
  claimBurstMaxDeferral: { flag: 'claim-burst-max-deferral', kind: 'duration', default: '5s', help: 'Longest such a write waits for a burst of claims to end.' },
  sandboxWarmPoolMaxBatchSize: { flag: 'sandbox-warm-pool-max-batch-size', kind: 'int', default: 300, help: 'Most members a pool creates or deletes in one pass.', check: atLeast(1) },
  sandboxWarmPoolReplenishDelay: { flag: 'sandbox-warm-pool-replenish-delay', kind: 'duration', default: '0s', help: 'Hold before refilling a pool after members were claimed.' },
  sandboxWarmPoolMaxRefillRate: { flag: 'sandbox-warm-pool-max-refill-rate', kind: 'float', default: 0, help: 'Per-pool member creations per second; 0 means unlimited.', check: atLeast(0) },
  sandboxWarmPoolReadinessGracePeriod: { flag: 'sandbox-warm-pool-readiness-grace-period', kind: 'duration', default: '5m', help: 'How long a member may stay not Ready before it is replaced.', check: positiveDuration },
  sandboxWarmPoolUnschedulableRecheckInterval: { flag: 'sandbox-warm-pool-unschedulable-recheck-interval', kind: 'duration', default: '1m', help: 'Requeue interval while a pool holds unschedulable members.', check: positiveDuration },
  enableWarmPoolEviction: { flag: 'enable-warm-pool-eviction', kind: 'bool', default: true, help: 'Mark pooled pods safe-to-evict for the cluster autoscaler.' },
  cacheLabelSelectors: { flag: 'cache-label-selectors', kind: 'bool', default: false, help: 'Only cache Pods, Services and PersistentVolumeClaims that carry the sandbox name-hash label.' },
  disableClaimEvents: { flag: 'disable-claim-events', kind: 'bool', default: false, help: 'Do not emit Events from the SandboxClaim controller.' },
  // Default true (upstream: false): the stamps cost one write per claim; metrics are de-duplicated by the Ready condition.
  disableClaimObservabilityAnnotations: { flag: 'disable-claim-observability-annotations', kind: 'bool', default: true, help: 'Do not persist the first-observed/first-ready annotations on claims (each costs one write per claim); =false restores them.' },
  zapLogLevel: { flag: 'zap-log-level', kind: 'string', default: 'info', help: `Log level: ${logLevels.join(', ')}.`, check: (v: string) => (logLevels.includes(v) ? undefined : `must be one of ${logLevels.join(', ')}`) },
} satisfies Record<string, AnyFlagSpec>;

type Flags = typeof CONTROLLER_FLAGS;
type ValueOf<S> = S extends { kind: 'bool' } ? boolean : S extends { kind: 'int' | 'float' } ? number : string;

/** Parsed controller configuration: every flag with its effective value. */
export type ControllerConfig = { -readonly [K in keyof Flags]: ValueOf<Flags[K]> };

/** Flags a construct may set; anything left out keeps the controller's default. */
export type ControllerFlagValues = { readonly [K in keyof Flags]?: ValueOf<Flags[K]> };

/** A rejected flag value, named both ways so constructs and the CLI can each report it. */
export interface FlagProblem {
  readonly prop: keyof Flags;
  readonly flag: string;
  readonly message: string;
}

const entries = Object.entries(CONTROLLER_FLAGS) as Array<[keyof Flags, AnyFlagSpec]>;

/** The default value of every flag. */
export function defaultControllerConfig(): ControllerConfig {
  return Object.fromEntries(entries.map(([prop, spec]) => [prop, spec.default])) as ControllerConfig;
}

function checkValue(spec: AnyFlagSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'bool':
      if (typeof value !== 'boolean') return 'must be true or false';
      break;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer';
      break;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a finite number';
      break;
    case 'duration':
      if (typeof value !== 'string' || Number.isNaN(parseDuration(value))) return `must be a duration like "30s", "5m" or "1h30m" (got ${JSON.stringify(value)})`;
      break;
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      break;
  }
  return (spec.check as ((v: unknown) => string | undefined) | undefined)?.(value);
}

/** Checks flag values set by a construct; returns one problem per bad value. */
export function validateControllerFlags(values: ControllerFlagValues): FlagProblem[] {
  const problems: FlagProblem[] = [];
  for (const [prop, value] of Object.entries(values) as Array<[keyof Flags, unknown]>) {
    if (value === undefined) continue;
    const spec = CONTROLLER_FLAGS[prop] as AnyFlagSpec | undefined;
    if (!spec) {
      problems.push({ prop, flag: String(prop), message: 'is not a controller flag' });
      continue;
    }
    const message = checkValue(spec, value);
    if (message) problems.push({ prop, flag: spec.flag, message });
  }
  return problems;
}

/** Renders the flags a construct set as `--name=value` args, in table order. */
export function renderControllerArgs(values: ControllerFlagValues): string[] {
  return entries.filter(([prop]) => values[prop] !== undefined).map(([prop, spec]) => `--${spec.flag}=${values[prop]}`);
}

function parseValue(spec: AnyFlagSpec, raw: string): unknown {
  switch (spec.kind) {
    case 'bool':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'int':
    case 'float':
      return raw.trim() === '' ? raw : Number(raw);
    default:
      return raw;
  }
}

/** Result of parsing argv: the config, or the problems that make the command line unusable. */
export interface ParsedArgs {
  readonly config: ControllerConfig;
  readonly problems: string[];
  readonly help: boolean;
  readonly version: boolean;
}

/**
 * Parses `--name=value`, `--name value` and bare `--bool` arguments (one or two leading dashes).
 * Unknown flags, positional arguments and invalid values are all reported.
 */
export function parseControllerArgs(argv: readonly string[]): ParsedArgs {
  const byFlag = new Map(entries.map(([prop, spec]) => [spec.flag, [prop, spec] as const]));
  const config = defaultControllerConfig() as Record<string, unknown>;
  const problems: string[] = [];
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--?([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      problems.push(`unexpected argument ${JSON.stringify(arg)}`);
      continue;
    }
    const [, name, inline] = match;
    if (name === 'help' || name === 'h') { help = true; continue; }
    if (name === 'version') { version = true; continue; }
    const known = byFlag.get(name);
    if (!known) {
      problems.push(`unknown flag --${name}`);
      continue;
    }
    const [prop, spec] = known;
    let raw = inline;
    if (raw === undefined) {
      if (spec.kind === 'bool') raw = 'true';
      else if (i + 1 < argv.length) raw = argv[++i];
      else { problems.push(`flag --${name} needs a value`); continue; }
    }
    const value = parseValue(spec, raw);
    const message = checkValue(spec, value);
    if (message) problems.push(`invalid value ${JSON.stringify(raw)} for --${name}: ${message}`);
    else config[prop] = value;
  }
  return { config: config as ControllerConfig, problems, help, version };
}

/** `--help` text generated from the table. */
export function controllerUsage(): string {
  return entries.map(([, spec]) => `  --${spec.flag} (${spec.kind}, default ${JSON.stringify(spec.default)})\n      ${spec.help}`).join('\n');
}
