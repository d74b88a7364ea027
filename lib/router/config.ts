// Router settings: flags (`--name value` / `--name=value`) over environment over defaults, validated up front.
import { TOKEN_FORMATS, type TokenFormat } from './auth/token-shape';

export type AuthzMode = 'allow-all' | 'tokenreview' | 'scoped-token';

export interface RouterConfig {
  /** Proxy listener. @default ":8080" */
  readonly httpBindAddress: string;
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
  /** Dial retries to a sandbox (200 ms doubling, at most 800 ms). @default 3 */
  readonly upstreamMaxRetries: number;
  /** Route to 127.0.0.0/8 pod IPs (local clusters only). @default false */
  readonly allowLoopbackPodIP: boolean;
  /** @default "tokenreview" */
  readonly authzMode: AuthzMode;
  /** @default 30 */
  readonly authzTokenreviewTtlSeconds: number;
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
  /** Watch Sandboxes only in this namespace. @default "" (all) */
  readonly cacheNamespace: string;
  /** @default "" (in-cluster or $KUBECONFIG) */
  readonly kubeconfig: string;
  /** One JSON line per request on stdout. @default true */
  readonly accessLog: boolean;
  /**
   * A request to a suspended sandbox (after it is authorized) resumes it and is held this long for it to be Ready;
   * past it, 503 with Retry-After. 0: never resume, answer 404 as before. Keep it below --idle-timeout-seconds, which
   * closes a connection whose request is still being admitted. @default 30
   */
  readonly resumeHoldSeconds: number;
}

export const DEFAULT_ROUTER_CONFIG: RouterConfig = {
  httpBindAddress: ':8080',
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
  upstreamMaxRetries: 3,
  allowLoopbackPodIP: false,
  authzMode: 'tokenreview',
  authzTokenreviewTtlSeconds: 30,
  authzApiCallsPerSecond: 50,
  authzStaleGraceSeconds: 120,
  authzTokenFormat: 'jwt',
  authzTokenreviewAudiences: '',
  authzScopedTokenSecretFile: '',
  cacheNamespace: '',
  kubeconfig: '',
  accessLog: true,
  resumeHoldSeconds: 30,
};

const ENV: Partial<Record<keyof RouterConfig, string>> = {
  clusterDomain: 'CLUSTER_DOMAIN',
  proxyTimeoutSeconds: 'PROXY_TIMEOUT_SECONDS',
  kubeconfig: 'KUBECONFIG',
};
const AUTHZ_MODES: readonly AuthzMode[] = ['allow-all', 'tokenreview', 'scoped-token'];

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

/** Parses `argv`; unknown flags and bad values are errors naming the flag. */
export function parseRouterConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RouterConfig {
  const config: Record<string, unknown> = { ...DEFAULT_ROUTER_CONFIG };
  const byFlag = new Map(Object.keys(DEFAULT_ROUTER_CONFIG).map((k) => [kebab(k), k as keyof RouterConfig]));
  for (const [key, name] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw) config[key] = coerce(key as keyof RouterConfig, raw, name);
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const key = byFlag.get(flag);
    if (!key) throw new Error(`unknown flag ${flag}; known: ${[...byFlag.keys()].join(', ')}`);
    const isBool = typeof DEFAULT_ROUTER_CONFIG[key] === 'boolean';
    const raw = inline ?? (isBool && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) ? 'true' : argv[++i]);
    if (raw === undefined) throw new Error(`${flag}: missing value`);
    config[key] = coerce(key, raw, flag);
  }
  return config as unknown as RouterConfig;
}

/** `":8080"` / `"127.0.0.1:8080"` / `"[::1]:8080"` -> host and port for net.Server.listen. */
export function splitBindAddress(address: string): { host?: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!match) throw new Error(`bind address ${JSON.stringify(address)} must look like ":8080" or "host:8080"`);
  return { host: match[1] ?? (match[2] || undefined), port: Number(match[3]) };
}
