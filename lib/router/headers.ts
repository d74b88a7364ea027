// Parses and validates the routing headers (X-Sandbox-ID/-Namespace/-Port/-Pod-IP/-UID) with the exact
// error messages of upstream's router (§15.1), so clients written for it see the same answers; plus ours,
// X-Sandbox-Resume: false (a request that must not wake a suspended sandbox).
import type { IncomingHttpHeaders } from 'node:http';
import * as net from 'node:net';

export interface RouteRequest {
  readonly id: string;
  readonly namespace: string;
  readonly port: number;
  /** Client's claim of the pod IP; only honoured when it matches the cache. */
  readonly podIP?: string;
  readonly uid?: string;
  /** False when the request must not resume a suspended sandbox (it is then answered as for any sandbox not Ready). */
  readonly resume: boolean;
}

/** A refusal the router answers with `{"detail": message}`. */
export class RouteError extends Error {
  /** `retryAfterSeconds`: sent as Retry-After (429, 503). */
  constructor(readonly status: number, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const isDnsLabel = (value: string): boolean => value.length <= 63 && DNS_LABEL.test(value);

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The routing target named by `headers`, or a 400 RouteError naming the bad header. */
export function parseRouteHeaders(headers: IncomingHttpHeaders): RouteRequest {
  const id = single(headers, 'x-sandbox-id');
  if (!id) throw new RouteError(400, 'X-Sandbox-ID header is required.');
  if (!isDnsLabel(id)) throw new RouteError(400, 'Invalid sandbox ID format.');
  const namespace = single(headers, 'x-sandbox-namespace') || 'default';
  if (!isDnsLabel(namespace)) throw new RouteError(400, 'Invalid namespace format.');
  const rawPort = single(headers, 'x-sandbox-port') || '8888';
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new RouteError(400, 'Invalid port format.');
  const podIP = single(headers, 'x-sandbox-pod-ip');
  if (podIP !== undefined && net.isIP(podIP) === 0) throw new RouteError(400, 'Invalid target IP address.');
  return { id, namespace, port, podIP, uid: single(headers, 'x-sandbox-uid'), resume: single(headers, 'x-sandbox-resume')?.toLowerCase() !== 'false' };
}

/** True for addresses a sandbox pod can never have (SSRF guard): unspecified, multicast, link-local, loopback unless allowed. */
export function isForbiddenTargetIP(ip: string, allowLoopback: boolean): boolean {
  const v4 = net.isIPv4(ip) ? ip : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (v4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    if (a === 127) return !allowLoopback;
    return a === 0 || (a >= 224 && a <= 239) || a === 255 || (a === 169 && b === 254);
  }
  const lower = ip.toLowerCase();
  if (lower === '::1') return !allowLoopback;
  return lower === '::' || lower.startsWith('ff') || /^fe[89ab]/.test(lower);
}
