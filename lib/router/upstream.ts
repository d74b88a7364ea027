// Opens the request to the sandbox: dial-class failures are retried with backoff (by default 200 ms doubling,
// capped at 800 ms) before any request body has been sent, so retries never duplicate a body.
import * as http from 'node:http';
import { upstreamErrorReason, type RouterMetrics } from './metrics';

export interface UpstreamRequest {
  readonly host: string;
  readonly port: number;
  readonly method: string;
  readonly path: string;
  readonly headers: http.OutgoingHttpHeaders;
  readonly agent: http.Agent | false;
  readonly idleTimeoutMs: number;
  readonly maxRetries: number;
  /** First retry delay, doubled per retry up to `retryMaxDelayMs`. */
  readonly retryInitialDelayMs: number;
  readonly retryMaxDelayMs: number;
  /** Retries stop once this time (ms since epoch) would be passed. */
  readonly deadline: number;
}

/**
 * Connects `spec` and resolves with the request, connected but with nothing written yet (the caller pipes the
 * body and listens for the response). Rejects with the last error once retries are used up or `signal` aborts.
 */
export function openUpstream(spec: UpstreamRequest, metrics: RouterMetrics, signal: AbortSignal): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const attempt = (n: number): void => {
      const req = http.request({
        host: spec.host, port: spec.port, method: spec.method, path: spec.path, headers: spec.headers,
        agent: spec.agent, timeout: spec.idleTimeoutMs, signal,
      });
      let connected = false;
      req.on('timeout', () => req.destroy(Object.assign(new Error('upstream idle timeout'), { code: 'ETIMEDOUT' })));
      req.on('socket', (socket) => {
        const ready = (): void => {
          connected = true;
          resolve(req);
        };
        if (socket.connecting) socket.once('connect', ready);
        else ready();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (connected) return; // from here on the caller's own error handler decides
        const reason = upstreamErrorReason(err);
        const delay = Math.min(spec.retryInitialDelayMs * 2 ** n, spec.retryMaxDelayMs);
        if (reason === 'dial' && !signal.aborted && n < spec.maxRetries && Date.now() + delay < spec.deadline) {
          metrics.upstreamRetries.inc();
          setTimeout(() => attempt(n + 1), delay);
          return;
        }
        reject(err);
      });
    };
    attempt(0);
  });
}
