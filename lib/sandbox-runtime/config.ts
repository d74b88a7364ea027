// Runtime settings from flags and environment (flags win), with upstream's env names and defaults.

export interface RuntimeConfig {
  /** TCP port. @default 8888 (env SANDBOX_PORT) */
  readonly port: number;
  /** Address to bind. @default "0.0.0.0" (env SANDBOX_BIND_ADDRESS) */
  readonly host: string;
  /** Directory every file and exec request is confined to. @default "/app" (env SANDBOX_BASE_DIR) */
  readonly baseDir: string;
  /** Default and maximum command timeout in seconds. @default 300 (env SANDBOX_EXEC_TIMEOUT_SECONDS) */
  readonly execTimeoutSeconds: number;
  /**
   * Maximum timeout of a startup action (`POST /v1/actions/{id}`): its declared timeoutSeconds is honoured up to this,
   * and refused above it. A template lowers it with the env var on its container. @default 86400 (env SANDBOX_ACTION_TIMEOUT_MAX_SECONDS)
   */
  readonly actionTimeoutMaxSeconds: number;
  /** Largest accepted request body (uploads, commands). @default 268435456 (env SANDBOX_MAX_BODY_BYTES) */
  readonly maxBodyBytes: number;
  /** Output kept per stream by the unary `/execute`. @default 16777216 (env SANDBOX_MAX_OUTPUT_BYTES) */
  readonly maxOutputBytes: number;
  /**
   * Port of upstream sandboxd's REST API (`/v1/files`, `/v1/health`), on `host`; 0: not served.
   * @default 0 (env SANDBOXD_REST_PORT; the runtime image sets 8080, upstream's port)
   */
  readonly sandboxdRestPort: number;
  /**
   * Port of upstream sandboxd's gRPC ProcessService, on `host`; 0: not served. Needs `@grpc/grpc-js` and
   * `@grpc/proto-loader`. @default 0 (env SANDBOXD_GRPC_PORT; the runtime image sets 9090, upstream's port)
   */
  readonly sandboxdGrpcPort: number;
}

const FLAGS: Record<string, { key: keyof RuntimeConfig; env: string; numeric: boolean; zeroAllowed?: boolean }> = {
  '--port': { key: 'port', env: 'SANDBOX_PORT', numeric: true },
  '--bind-address': { key: 'host', env: 'SANDBOX_BIND_ADDRESS', numeric: false },
  '--base-dir': { key: 'baseDir', env: 'SANDBOX_BASE_DIR', numeric: false },
  '--exec-timeout-seconds': { key: 'execTimeoutSeconds', env: 'SANDBOX_EXEC_TIMEOUT_SECONDS', numeric: true },
  '--action-timeout-max-seconds': { key: 'actionTimeoutMaxSeconds', env: 'SANDBOX_ACTION_TIMEOUT_MAX_SECONDS', numeric: true },
  '--max-body-bytes': { key: 'maxBodyBytes', env: 'SANDBOX_MAX_BODY_BYTES', numeric: true },
  '--max-output-bytes': { key: 'maxOutputBytes', env: 'SANDBOX_MAX_OUTPUT_BYTES', numeric: true },
  '--sandboxd-rest-port': { key: 'sandboxdRestPort', env: 'SANDBOXD_REST_PORT', numeric: true, zeroAllowed: true },
  '--sandboxd-grpc-port': { key: 'sandboxdGrpcPort', env: 'SANDBOXD_GRPC_PORT', numeric: true, zeroAllowed: true },
};

export const DEFAULT_RUNTIME_CONFIG: RuntimeConfig = {
  port: 8888,
  host: '0.0.0.0',
  baseDir: '/app',
  execTimeoutSeconds: 300,
  // A day, as DEFAULT_ACTION_TIMEOUT_MAX_SECONDS of lib/api (the runtime image builds from this folder alone).
  actionTimeoutMaxSeconds: 86_400,
  maxBodyBytes: 256 * 1024 * 1024,
  maxOutputBytes: 16 * 1024 * 1024,
  sandboxdRestPort: 0,
  sandboxdGrpcPort: 0,
};

function parseValue(flag: string, raw: string, spec: { numeric: boolean; zeroAllowed?: boolean }): string | number {
  if (!spec.numeric) return raw;
  const value = Number(raw);
  if (spec.zeroAllowed && value === 0) return value;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag}: expected a positive number${spec.zeroAllowed ? ' or 0' : ''}, got ${JSON.stringify(raw)}`);
  return value;
}

/** Builds the config from `argv` (`--flag value` or `--flag=value`) over `env` over defaults. Unknown flags are errors. */
export function parseRuntimeConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const config: Record<string, string | number> = { ...DEFAULT_RUNTIME_CONFIG };
  for (const spec of Object.values(FLAGS)) {
    const raw = env[spec.env];
    if (raw !== undefined && raw !== '') config[spec.key] = parseValue(spec.env, raw, spec);
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const spec = FLAGS[flag];
    if (!spec) throw new Error(`unknown flag ${flag}; known: ${Object.keys(FLAGS).join(', ')}`);
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new Error(`${flag}: missing value`);
    config[spec.key] = parseValue(flag, raw, spec);
  }
  return config as unknown as RuntimeConfig;
}
