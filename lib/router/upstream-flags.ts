// Upstream's router flags (kubernetes-sigs/agent-sandbox `sandbox-router`) under their own names and syntax, so its
// Deployment's args and config files run our router unchanged: Go durations (`180s`, `1m30s`, `200ms`) for
// settings we keep in seconds, and Go's flag spellings (`-name`, `--name=false`).

/** Upstream flag name -> our setting, whose value is the duration converted to seconds. */
export const UPSTREAM_DURATION_FLAGS: Readonly<Record<string, string>> = {
  '--proxy-timeout': 'proxyTimeoutSeconds',
  '--response-header-timeout': 'responseHeaderTimeoutSeconds',
  '--shutdown-timeout': 'shutdownTimeoutSeconds',
  '--upstream-retry-initial-delay': 'upstreamRetryInitialDelaySeconds',
  '--upstream-retry-max-delay': 'upstreamRetryMaxDelaySeconds',
  '--authz-tokenreview-ttl': 'authzTokenreviewTtlSeconds',
};

/** Environment variable upstream reads its config file path from when `--config` is not given. */
export const CONFIG_FILE_ENV = 'SANDBOX_ROUTER_CONFIG';

const UNIT_SECONDS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration syntax (`1h2m3.5s`, `200ms`, `0`) in seconds; undefined when `raw` is not one. */
export function parseGoDuration(raw: string): number | undefined {
  if (raw === '0') return 0;
  const body = /^[+]?(.+)$/.exec(raw)?.[1] ?? '';
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let seconds = 0;
  let consumed = 0;
  while (consumed < body.length) {
    part.lastIndex = consumed;
    const match = part.exec(body);
    if (!match) return undefined;
    seconds += Number(match[1]) * UNIT_SECONDS[match[2]!]!;
    consumed = part.lastIndex;
  }
  return consumed > 0 ? seconds : undefined;
}

/** `-name` (Go's single-dash spelling) -> `--name`; anything else unchanged. */
export function normalizeFlagName(flag: string): string {
  return /^-[^-]/.test(flag) ? '-' + flag : flag;
}

/** `--config FILE`, `--config=FILE` (or `-config`) in `argv`, else $SANDBOX_ROUTER_CONFIG, else undefined. */
export function configFileFrom(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (normalizeFlagName(flag) === '--config') return inline ?? argv[i + 1];
  }
  return env[CONFIG_FILE_ENV] || undefined;
}
