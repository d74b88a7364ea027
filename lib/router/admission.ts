// Decides whether and where a request goes: validate headers, authorize (or trust a port-forwarded connection), then
// resolve the sandbox from the cache (read again when the client's X-Sandbox-Pod-IP hint names a pod it does not know). Only addresses the cache knows for a Ready sandbox are ever returned (no open proxy), never a node's
// and never one of a sandbox sharing its node's network (hostNetwork).
import type { IncomingMessage } from 'node:http';
import * as net from 'node:net';
import { ANNOTATION } from '../api';
import { allow, type Authorizer } from './auth/authorizer';
import { isPortForwarded } from './auth/port-forward';
import { isForbiddenTargetIP, parseRouteHeaders, RouteError, type RouteRequest } from './headers';
import type { RouterMetrics } from './metrics';
import type { NodeAddressIndex } from './node-addresses';
import type { SandboxResolver, SandboxTarget } from './resolver';
import type { SandboxWaker } from './lifecycle/waker';

export interface Admitted {
  readonly route: RouteRequest;
  readonly target: SandboxTarget;
  /** Pod IP (preferred) or the Service FQDN (DNS fallback). */
  readonly host: string;
  /** The request waited for its sandbox to be resumed. */
  readonly resumed?: boolean;
}

/** Where the router may connect, besides "a Ready sandbox's own address". */
export interface PlacementRules {
  readonly allowLoopbackPodIP: boolean;
  readonly nodeAddresses: NodeAddressIndex;
  /** Ports any sandbox may be reached on (`--allowed-sandbox-ports`). @default - any */
  readonly allowedPorts?: readonly number[];
}

export interface AdmissionDeps extends PlacementRules {
  readonly resolver: SandboxResolver;
  /** Resumes a suspended sandbox for an authorized request. @default - none (404 as for any sandbox not Ready) */
  readonly waker?: Pick<SandboxWaker, 'wake'>;
  readonly authorizer: Authorizer;
  readonly metrics: RouterMetrics;
  /** Admit loopback connections (`kubectl port-forward` to the router Pod) without a token. @default false */
  readonly trustPortForward?: boolean;
}

/** Seconds a client should wait when its sandbox has no Ready pod at the moment. */
const NOT_READY_RETRY_AFTER_SECONDS = 1;

/** Resolves the upstream for `req`, or throws a RouteError with the status and detail to answer. */
export async function admit(req: IncomingMessage, deps: AdmissionDeps): Promise<Admitted> {
  const route = parseRouteHeaders(req.headers);
  // Startup actions may run far past the interactive exec cap; only the controller (which dials the runtime itself)
  // starts them. Callers may follow their output (GET), which any command they run could print anyway.
  if (req.method === 'POST' && /^\/v1\/actions(\/|$)/.test(req.url ?? '')) {
    throw new RouteError(403, 'Startup actions are started by the controller only; run commands with /execute or /v1/exec/stream.');
  }
  const known = deps.resolver.lookup(route.namespace, route.id);
  // Authorize before revealing whether the sandbox exists; label metrics only with namespaces we know.
  const portForwarded = deps.trustPortForward === true && isPortForwarded(req.socket);
  const decision = portForwarded ? allow : await deps.authorizer.authorize(req.headers, route);
  deps.metrics.authzDecisions.inc({ sandbox_namespace: known ? route.namespace : 'unknown', decision: portForwarded ? 'port-forward' : decision.allowed ? 'allow' : 'deny' });
  if (!decision.allowed) throw new RouteError(decision.status, decision.detail, decision.retryAfterSeconds);
  let target = known ?? deps.resolver.lookup(route.namespace, route.id);
  if (route.podIP !== undefined && !target?.podIPs.includes(route.podIP)) {
    // The client saw a pod we do not know (replaced since, or our watch is behind a new sandbox): a stale hint, not
    // a reason to refuse. Read the Sandbox again (shared, rate-limited) and route to whatever is Ready now.
    deps.metrics.stalePodIPHints.inc();
    target = await deps.resolver.refresh(route.namespace, route.id);
  }
  if (target || !deps.waker || !route.resume) return place(route, target, deps);
  const resumed = await deps.waker.wake(route.namespace, route.id);
  return { ...place(route, resumed, deps), resumed: resumed !== undefined };
}

function portProblem(route: RouteRequest, target: SandboxTarget, rules: PlacementRules): string | undefined {
  const sandbox = `${route.namespace}/${route.id}`;
  if (rules.allowedPorts && !rules.allowedPorts.includes(route.port)) {
    return `Port ${route.port} is not open to the router (allowed: ${rules.allowedPorts.join(', ')}).`;
  }
  if (target.allowedPorts && !target.allowedPorts.includes(route.port)) {
    const allowed = target.allowedPorts.length ? target.allowedPorts.join(', ') : `none: its ${ANNOTATION.routerPorts} annotation is not a list of ports`;
    return `Port ${route.port} of sandbox ${sandbox} is not open to the router (allowed: ${allowed}).`;
  }
  return undefined;
}

/**
 * Checks `target` (as resolved now) against the route's pins and the placement rules and picks the address to
 * dial. Also used when the first address refused and the sandbox was resolved again.
 */
export function place(route: RouteRequest, target: SandboxTarget | undefined, rules: PlacementRules): Admitted {
  const sandbox = `${route.namespace}/${route.id}`;
  if (!target && route.podIP !== undefined) {
    // The client knew a pod of it, so it is most likely being replaced: retryable, unlike 404.
    throw new RouteError(503, `Sandbox ${sandbox} has no Ready pod at the moment (X-Sandbox-Pod-IP ${route.podIP} is no longer its pod); retry.`, NOT_READY_RETRY_AFTER_SECONDS);
  }
  if (!target) throw new RouteError(404, `Sandbox ${sandbox} not found or not ready.`);
  if (route.uid !== undefined && route.uid !== target.uid) throw new RouteError(403, 'X-Sandbox-UID does not match the sandbox.');
  if (target.hostNetwork) throw new RouteError(403, `Sandbox ${sandbox} uses hostNetwork: its address is its node's, and the router never proxies to a node.`);
  const badPort = portProblem(route, target, rules);
  if (badPort) throw new RouteError(403, badPort);
  // X-Sandbox-Pod-IP only chooses among the sandbox's own addresses; a stale one is ignored.
  const host = (route.podIP !== undefined && target.podIPs.includes(route.podIP) ? route.podIP : target.podIPs[0]) ?? target.serviceFQDN;
  if (!host) throw new RouteError(503, `Sandbox ${sandbox} has no address yet.`);
  if (net.isIP(host) !== 0 && isForbiddenTargetIP(host, rules.allowLoopbackPodIP)) throw new RouteError(403, 'Invalid target IP address.');
  if (rules.nodeAddresses.isNodeAddress(host)) throw new RouteError(403, `Sandbox ${sandbox} reports address ${host}, which is a node's; the router never proxies to a node.`);
  return { route, target, host };
}
