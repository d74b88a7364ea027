// Prometheus metrics of the router (names as upstream §15.4) in a private registry; namespace labels
// are only ever set from resolved sandboxes so clients cannot blow up label cardinality.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type UpstreamErrorReason = 'dial' | 'timeout' | 'tls' | 'eof' | 'other';

export class RouterMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'sandbox_router_requests_total', help: 'Requests handled, by method, status code and sandbox namespace.', labelNames: ['method', 'code', 'sandbox_namespace'], registers: [this.registry] });
  readonly duration = new Histogram({
    name: 'sandbox_router_request_duration_seconds', help: 'Time from request to end of response.', labelNames: ['method', 'code', 'sandbox_namespace'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180], registers: [this.registry],
  });
  readonly inflight = new Gauge({ name: 'sandbox_router_inflight_requests', help: 'Requests being proxied now.', registers: [this.registry] });
  readonly upstreamErrors = new Counter({ name: 'sandbox_router_upstream_errors_total', help: 'Failures talking to sandboxes.', labelNames: ['sandbox_namespace', 'reason'], registers: [this.registry] });
  readonly upstreamRetries = new Counter({ name: 'sandbox_router_upstream_retries_total', help: 'Dial retries to sandboxes.', registers: [this.registry] });
  readonly cacheInvalidations = new Counter({ name: 'sandbox_router_cache_invalidations_total', help: 'Cache entries dropped after failures.', registers: [this.registry] });
  readonly stalePodIPHints = new Counter({ name: 'sandbox_router_stale_pod_ip_hints_total', help: 'Requests whose X-Sandbox-Pod-IP named no known pod of the sandbox, so it was read again.', registers: [this.registry] });
  readonly authzDecisions = new Counter({ name: 'sandbox_router_authz_decisions_total', help: 'Authorization decisions.', labelNames: ['sandbox_namespace', 'decision'], registers: [this.registry] });
  readonly authzApiCalls = new Counter({ name: 'sandbox_router_authz_api_calls_total', help: 'TokenReviews and SubjectAccessReviews sent to the API server, by kind and result.', labelNames: ['kind', 'result'], registers: [this.registry] });
  readonly authzThrottled = new Counter({ name: 'sandbox_router_authz_throttled_total', help: 'Reviews not sent because the API call budget was spent (answered 429).', labelNames: ['kind'], registers: [this.registry] });
  readonly authzRefusedTokens = new Counter({ name: 'sandbox_router_authz_refused_tokens_total', help: 'Tokens refused without an API call because they cannot be valid.', labelNames: ['reason'], registers: [this.registry] });
  readonly queueRejections = new Counter({ name: 'sandbox_router_queue_rejections_total', help: 'Requests answered 503 because their sandbox had too many requests queued.', labelNames: ['sandbox_namespace'], registers: [this.registry] });
  readonly buildInfo = new Gauge({ name: 'sandbox_router_build_info', help: 'Build information.', labelNames: ['version', 'authz_mode'], registers: [this.registry] });
}

/** Classifies a socket error for `sandbox_router_upstream_errors_total`. */
export function upstreamErrorReason(err: NodeJS.ErrnoException): UpstreamErrorReason {
  const code = err.code ?? '';
  if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL'].includes(code)) return 'dial';
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return 'timeout';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) return 'tls';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'eof';
  return 'other';
}
