// In-sandbox runtime: HTTP server compatible with upstream's Python runtime, plus streaming exec.
export { parseRuntimeConfig, DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from './config';
export { createRuntimeServer, type RuntimeServer } from './server';
export type { ExecStreamEvent } from './exec';
