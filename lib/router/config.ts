// Router settings: flags (`--name value` / `--name=value`) over a config file (`--config`) over environment over
// defaults, validated up front. Upstream's flag names and syntax are accepted too (upstream-flags.ts).
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { TOKEN_FORMATS, type TokenFormat } from './auth/token-shape';
import { configFileFrom, normalizeFlagName, parseGoDuration, UPSTREAM_DURATION_FLAGS } from './upstream-flags';

export type AuthzMode = 'allow-all' | 'tokenreview' | 'scoped-token';
export type MtlsMode = 'off' | 'optional' | 'required';

export interface RouterConfig {
  /** Proxy listener (plain HTTP; empty: none). @default ":8080" */
  readonly httpBindAddress: string;
  /** TLS proxy listener; needs `tlsCertFile` and `tlsKeyFile`. @default "" (none) */
  readonly httpsBindAddress: string;
  /** PEM server certificate of the TLS listener. @default "" */
  readonly tlsCertFile: string;
  /** PEM private key of the TLS listener. @default "" */
  readonly tlsKeyFile: string;
  /** PEM CA bundle client certificates are verified against (`mtlsMode` optional or required). @default "" */
  readonly tlsClientCaFile: string;
  /** Client certificates on the TLS listener: `off`, `optional` (verified when sent) or `required`. @default "off" */
  readonly mtlsMode: MtlsMode;
  /** Prometheus `/metrics` listener. @default ":9090" */
  readonly metricsBindAddress: string;
  /** `/healthz` and `/readyz` listener. @default ":8081" */
  readonly healthProbeBindAddress: string;
  /** @default "cluster.local" (env CLUSTER_DOMAIN) */
  readonly clusterDomain: string;
  /**
   * Total time for one proxied request, up to the end of a unary response or the start of a streamed one.
   * @default 180 (env PROXY_TIMEOUT_SECONDS)
   */
  readonly proxyTimeoutSeconds: number;
  /**
   * A streamed response (NDJSON exec output, server-sent events) is closed after this long without a byte from the
   * sandbox (or a client that stopped reading); it has no total limit. Longer than the runtime's default command
   * limit (300 s), so a command silent until it is killed still delivers its exit event. @default 360
   */
  readonly streamIdleTimeoutSeconds: number;
  /** Inactivity after which a connection with no request in flight is closed (keep-alive, dialling). @default 60 */
  readonly idleTimeoutSeconds: number;
  /** Inactivity limit for upgraded (WebSocket) connections. @default 3600 */
  readonly upgradeIdleTimeoutSeconds: number;
  /** Concurrent client connections accepted. @default 4096 */
  readonly maxConnections: number;
  /** Concurrent proxied requests; more are answered 503. @default 1024 */
  readonly maxInflightRequests: number;
  /** Connections the router opens to one sandbox; further requests queue for one. @default 512 */
  readonly maxConnectionsPerSandbox: number;
  /** Requests waiting for a connection to one sandbox; past it, 503 with Retry-After. @default 1024 */
  readonly maxQueuedRequestsPerSandbox: number;
  /**
   * Comma-separated ports callers may name in X-Sandbox-Port, for every sandbox (a Sandbox's pod template may
   * narrow it further with the `agent-sandbox-kit.dev/router-ports` annotation). @default "" (any port of the sandbox's pod)
   */
  readonly allowedSandboxPorts: string;
  /**
   * Longest wait for a sandbox's response headers after the request was sent; 0: only the proxy timeout bounds it
   * (the runtime's `/execute` answers when the command ends). @default 0
   */
  readonly responseHeaderTimeoutSeconds: number;
  /** On SIGTERM, how long requests in flight may finish before their connections are closed. @default 30 */
  readonly shutdownTimeoutSeconds: number;
  /** Largest request body proxied (413 past it); 0: no limit. @default 0 */
  readonly maxRequestBodyBytes: number;
  /** Dial retries to a sandbox (the delay doubles from `upstreamRetryInitialDelaySeconds` up to the max). @default 3 */
  readonly upstreamMaxRetries: number;
  /** @default 0.2 */
  readonly upstreamRetryInitialDelaySeconds: number;
  /** @default 0.8 */
  readonly upstreamRetryMaxDelaySeconds: number;
  /** Route to 127.0.0.0/8 pod IPs (local clusters only). @default false */
  readonly allowLoopbackPodIP: boolean;
  /** @default "tokenreview" */
  readonly authzMode: AuthzMode;
  /** @default 30 */
  readonly authzTokenreviewTtlSeconds: number;
  /** Decisions cached per kind of review (token, sandbox access), least recently stored dropped first. @default 10000 */
  readonly authzTokenreviewCacheSize: number;
  /**
   * `tokenreview` mode: refuse requests without a bearer token (401). `false` lets tokenless requests through
   * unchecked (upstream's default, for client roll-outs). @default true
   */
  readonly authzTokenreviewRequireToken: boolean;
  /**
   * Admit, without a token, connections from loopback inside the router's own network namespace: what
   * `kubectl port-forward` to the router Pod delivers, after the API server authorized `pods/portforward`. Only for a
   * router in its own Pod (never hostNetwork, never a process on a shared host). @default false (the SandboxRouter builder sets it)
   */
  readonly authzTrustPortForward: boolean;
  /** TokenReviews plus SubjectAccessReviews per second (and burst), 2/5 of it for tokens never seen before; past it, 429. @default 50 */
  readonly authzApiCallsPerSecond: number;
  /** How long past its TTL a cached decision still answers while the API server is unreachable. @default 120 */
  readonly authzStaleGraceSeconds: number;
  /** `jwt`: refuse non-JWT bearer tokens without asking the API server; `any`: also opaque tokens. @default "jwt" */
  readonly authzTokenFormat: TokenFormat;
  /** Comma-separated audiences for TokenReview. @default "" */
  readonly authzTokenreviewAudiences: string;
  /** File with the HMAC secret for scoped tokens (≥ 32 bytes). @default "" */
  readonly authzScopedTokenSecretFile: string;
  /** Upstream's switch for its Pod-IP cache; ours always routes from its Sandbox watch, so `false` is refused. @default true */
  readonly cacheEnabled: boolean;
  /** Watch Sandboxes only in this namespace. @default "" (all) */
  readonly cacheNamespace: string;
  /** @default "" (in-cluster or $KUBECONFIG) */
  readonly kubeconfig: string;
  /** One JSON line per request on stdout. @default true */
  readonly accessLog: boolean;
  /** Upstream's OpenTelemetry tracing; not implemented, so only `false` is accepted. @default false */
  readonly enableTracing: boolean;
  /** Upstream's OTLP metrics push; not implemented (metrics are on `/metrics`), so only `false` is accepted. @default false */
  readonly enableOtelMetrics: boolean;
  /**
   * A request to a suspended sandbox (after it is authorized) resumes it and is held this long for it to be Ready;
   * past it, 503 with Retry-After. 0: never resume, answer 404 as before. Keep it below --idle-timeout-seconds, which
   * closes a connection whose request is still being admitted. @default 30
   */
  readonly resumeHoldSeconds: number;
}

export const DEFAULT_ROUTER_CONFIG: RouterConfig = {
  httpBindAddress: ':8080',
  httpsBindAddress: '',
  tlsCertFile: '',
  tlsKeyFile: '',
  tlsClientCaFile: '',
  mtlsMode: 'off',
  metricsBindAddress: ':9090',
  healthProbeBindAddress: ':8081',
  clusterDomain: 'cluster.local',
  proxyTimeoutSeconds: 180,
  streamIdleTimeoutSeconds: 360,
  idleTimeoutSeconds: 60,
  upgradeIdleTimeoutSeconds: 3600,
  maxConnections: 4096,
  maxInflightRequests: 1024,
  maxConnectionsPerSandbox: 512,
  maxQueuedRequestsPerSandbox: 1024,
  allowedSandboxPorts: '',
  responseHeaderTimeoutSeconds: 0,
  shutdownTimeoutSeconds: 30,
  maxRequestBodyBytes: 0,
  upstreamMaxRetries: 3,
  upstreamRetryInitialDelaySeconds: 0.2,
  upstreamRetryMaxDelaySeconds: 0.8,
  allowLoopbackPodIP: false,
  authzMode: 'tokenreview',
  authzTokenreviewTtlSeconds: 30,
  authzTokenreviewCacheSize: 10_000,
  authzTokenreviewRequireToken: true,
  authzTrustPortForward: false,
  authzApiCallsPerSecond: 50,
  authzStaleGraceSeconds: 120,
  authzTokenFormat: 'jwt',
  authzTokenreviewAudiences: '',
  authzScopedTokenSecretFile: '',
  cacheEnabled: true,
  cacheNamespace: '',
  kubeconfig: '',
  accessLog: true,
  enableTracing: false,
  enableOtelMetrics: false,
  resumeHoldSeconds: 30,
};

const ENV: Partial<Record<keyof RouterConfig, string>> = {
  clusterDomain: 'CLUSTER_DOMAIN',
  proxyTimeoutSeconds: 'PROXY_TIMEOUT_SECONDS',
  kubeconfig: 'KUBECONFIG',
};
const AUTHZ_MODES: readonly AuthzMode[] = ['allow-all', 'tokenreview', 'scoped-token'];
const MTLS_MODES: readonly MtlsMode[] = ['off', 'optional', 'required'];

export const kebab = (key: string): string => '--' + key.replace(/[A-Z]+/g, (m) => '-' + m.toLowerCase());

function coerce(key: keyof RouterConfig, raw: string, source: string): string | number | boolean {
  const kind = typeof DEFAULT_ROUTER_CONFIG[key];
  if (kind === 'boolean') {
    if (raw === 'true' || raw === '') return true;
    if (raw === 'false') return false;
    throw new Error(`${source}: expected true or false, got ${JSON.stringify(raw)}`);
  }
  if (kind === 'number') {
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n) || n < 0) throw new Error(`${source}: expected a non-negative number, got ${JSON.stringify(raw)}`);
    return n;
  }
  const oneOf = (allowed: readonly string[]): void => {
    if (!allowed.includes(raw)) throw new Error(`${source}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  };
  if (key === 'authzMode') oneOf(AUTHZ_MODES);
  if (key === 'authzTokenFormat') oneOf(TOKEN_FORMATS);
  if (key === 'mtlsMode') oneOf(MTLS_MODES);
  if (key === 'allowedSandboxPorts') parsePortList(raw, source);
  return raw;
}

/** `"8888, 3000"` -> [8888, 3000]; empty -> undefined (any port). Throws naming `source` on a bad entry. */
export function parsePortList(raw: string, source: string): number[] | undefined {
  const entries = raw.split(',').map((p) => p.trim()).filter(Boolean);
  if (entries.length === 0) return undefined;
  return entries.map((entry) => {
    const port = /^\d{1,5}$/.test(entry) ? Number(entry) : NaN;
    if (!(port >= 1 && port <= 65535)) throw new Error(`${source}: expected comma-separated ports 1-65535, got ${JSON.stringify(entry)}`);
    return port;
  });
}

/** Reads `--config` (YAML, keys are flag names without dashes) as `--key=value` arguments. */
function configFileArgs(path: string): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`--config ${path}: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`--config ${path}: expected a mapping of flag names to values`);
  return Object.entries(doc as Record<string, unknown>).map(([key, value]) => {
    if (value !== null && typeof value === 'object') throw new Error(`--config ${path}: key ${key} must have a scalar value`);
    return `--${key}=${value ?? ''}`;
  });
}

/** Parses `argv` (over the `--config` file); unknown flags and bad values are errors naming the flag. */
export function parseRouterConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RouterConfig {
  const config: Record<string, unknown> = { ...DEFAULT_ROUTER_CONFIG };
  const byFlag = new Map(Object.keys(DEFAULT_ROUTER_CONFIG).map((k) => [kebab(k), k as keyof RouterConfig]));
  for (const [key, name] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw) config[key] = coerce(key as keyof RouterConfig, raw, name);
  }
  const file = configFileFrom(argv, env);
  const args = [...(file ? configFileArgs(file) : []), ...argv];
  for (let i = 0; i < args.length; i++) {
    const [given, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const flag = normalizeFlagName(given);
    if (flag === '--config') {
      if (inline === undefined) i++;
      continue;
    }
    const durationKey = UPSTREAM_DURATION_FLAGS[flag] as keyof RouterConfig | undefined;
    const key = durationKey ?? byFlag.get(flag);
    if (!key) throw new Error(`unknown flag ${given}; known: ${[...byFlag.keys(), ...Object.keys(UPSTREAM_DURATION_FLAGS)].join(', ')}`);
    const isBool = typeof DEFAULT_ROUTER_CONFIG[key] === 'boolean';
    const raw = inline ?? (isBool && (args[i + 1] === undefined || args[i + 1]!.startsWith('-')) ? 'true' : args[++i]);
    if (raw === undefined) throw new Error(`${given}: missing value`);
    if (durationKey) {
      const seconds = parseGoDuration(raw);
      if (seconds === undefined) throw new Error(`${given}: expected a duration such as 180s, 1m30s or 200ms, got ${JSON.stringify(raw)}`);
      config[key] = seconds;
    } else config[key] = coerce(key, raw, given);
  }
  return checked(config as unknown as RouterConfig);
}

/** Settings that parse but cannot work together, or that ask for what this router does not do. */
function checked(config: RouterConfig): RouterConfig {
  const problems: string[] = [];
  if (!config.httpBindAddress && !config.httpsBindAddress) problems.push('--http-bind-address and --https-bind-address are both empty: nothing would listen');
  if (config.httpsBindAddress && !(config.tlsCertFile && config.tlsKeyFile)) problems.push('--https-bind-address needs --tls-cert-file and --tls-key-file');
  if (config.mtlsMode !== 'off' && !(config.httpsBindAddress && config.tlsClientCaFile)) problems.push(`--mtls-mode=${config.mtlsMode} needs --https-bind-address and --tls-client-ca-file`);
  if (!config.cacheEnabled) problems.push('--cache-enabled=false is not supported: this router routes only from its watch of Sandboxes (no DNS fallback); leave it out or set it to true');
  if (config.enableTracing) problems.push('--enable-tracing is not implemented by this router; leave it out or set it to false');
  if (config.enableOtelMetrics) problems.push('--enable-otel-metrics is not implemented by this router (scrape /metrics instead); leave it out or set it to false');
  if (config.upstreamRetryMaxDelaySeconds < config.upstreamRetryInitialDelaySeconds) problems.push('--upstream-retry-max-delay must not be shorter than --upstream-retry-initial-delay');
  if (problems.length) throw new Error(problems.join('; '));
  return config;
}

/** `":8080"` / `"127.0.0.1:8080"` / `"[::1]:8080"` -> host and port for net.Server.listen. */
export function splitBindAddress(address: string): { host?: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!match) throw new Error(`bind address ${JSON.stringify(address)} must look like ":8080" or "host:8080"`);
  return { host: match[1] ?? (match[2] || undefined), port: Number(match[3]) };
}
