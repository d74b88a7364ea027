// Decides whether and where a request goes: validate headers, authorize, then resolve the sandbox from
// the cache. Only addresses the cache knows for a Ready sandbox are ever returned (no open proxy).
import type { IncomingMessage } from 'node:http';
import * as net from 'node:net';
import type { Authorizer } from './auth/authorizer';
import { isForbiddenTargetIP, parseRouteHeaders, RouteError, type RouteRequest } from './headers';
import type { RouterMetrics } from './metrics';
import type { SandboxResolver, SandboxTarget } from './resolver';

export interface Admitted {
  readonly route: RouteRequest;
  readonly target: SandboxTarget;
  /** Pod IP (preferred) or the Service FQDN (DNS fallback). */
  readonly host: string;
}

export interface AdmissionDeps {
  readonly resolver: SandboxResolver;
  readonly authorizer: Authorizer;
  readonly metrics: RouterMetrics;
  readonly allowLoopbackPodIP: boolean;
}

/** Resolves the upstream for `req`, or throws a RouteError with the status and detail to answer. */
export async function admit(req: IncomingMessage, deps: AdmissionDeps): Promise<Admitted> {
  const route = parseRouteHeaders(req.headers);
  const known = deps.resolver.lookup(route.namespace, route.id);
  // Authorize before revealing whether the sandbox exists; label metrics only with namespaces we know.
  const decision = await deps.authorizer.authorize(req.headers, route);
  deps.metrics.authzDecisions.inc({ sandbox_namespace: known ? route.namespace : 'unknown', decision: decision.allowed ? 'allow' : 'deny' });
  if (!decision.allowed) throw new RouteError(decision.status, decision.detail);
  return place(route, known ?? deps.resolver.lookup(route.namespace, route.id), deps.allowLoopbackPodIP);
}

/**
 * Checks `target` (as resolved now) against the route's pins and picks the address to dial. Also used when the
 * first address refused and the sandbox was resolved again.
 */
export function place(route: RouteRequest, target: SandboxTarget | undefined, allowLoopbackPodIP: boolean): Admitted {
  if (!target) throw new RouteError(404, `Sandbox ${route.namespace}/${route.id} not found or not ready.`);
  if (route.uid !== undefined && route.uid !== target.uid) throw new RouteError(403, 'X-Sandbox-UID does not match the sandbox.');
  if (route.podIP !== undefined && !target.podIPs.includes(route.podIP)) throw new RouteError(403, 'X-Sandbox-Pod-IP does not match the sandbox.');
  const host = route.podIP ?? target.podIPs[0] ?? target.serviceFQDN;
  if (!host) throw new RouteError(503, `Sandbox ${route.namespace}/${route.id} has no address yet.`);
  if (net.isIP(host) !== 0 && isForbiddenTargetIP(host, allowLoopbackPodIP)) throw new RouteError(403, 'Invalid target IP address.');
  return { route, target, host };
}
