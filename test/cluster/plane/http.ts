// Minimal HTTP(S) client for the plane's own start-up probes and bootstrap objects (no dependency
// on lib/kube, so the harness works while that client evolves).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Skip server verification: only for components serving self-signed health endpoints. */
  insecure?: boolean;
}

export interface HttpResult {
  status: number;
  body: string;
}

export function httpCall(
  url: string,
  options: { method?: string; body?: unknown; tls?: TlsOptions; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const { method = 'GET', body, tls = {}, timeoutMs = 5000 } = options;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method,
      // No keep-alive: idle pooled sockets would hold jest's main process open after globalSetup.
      agent: false,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: !tls.insecure,
      timeout: timeoutMs,
      headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** True when `url` answers 200 (connection errors count as "not yet"). */
export async function isHealthy(url: string, tls?: TlsOptions): Promise<boolean> {
  try {
    return (await httpCall(url, { tls, timeoutMs: 2000 })).status === 200;
  } catch {
    return false;
  }
}
