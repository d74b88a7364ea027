// Dialling a sandbox with a second chance: when the cached address fails, the sandbox is read again from the
// API server (its pod may have moved while the watch lagged) and the fresh address is dialled before giving up.
import type * as http from 'node:http';
import { place, type Admitted, type PlacementRules } from './admission';
import type { SandboxResolver } from './resolver';
import { upstreamErrorReason, type RouterMetrics } from './metrics';
import { openUpstream, type UpstreamRequest } from './upstream';

export interface DialDeps extends PlacementRules {
  readonly resolver: SandboxResolver;
  readonly metrics: RouterMetrics;
  /** Dial retries to one address (`--upstream-max-retries`). */
  readonly maxRetries: number;
}

export interface Dialled {
  readonly upstream: http.ClientRequest;
  /** Where the request went: `admitted`, or the sandbox as resolved again. */
  readonly admitted: Admitted;
}

/**
 * Connects to `admitted` with one attempt; when that fails the sandbox is re-resolved, and the fresh address (or
 * the same one, if nothing changed) gets the configured retries. Throws RouteError when the sandbox is gone or no
 * longer matches the route's pins, and the last socket error when dialling fails.
 */
export async function dialSandbox(
  admitted: Admitted, spec: (admitted: Admitted, maxRetries: number) => UpstreamRequest, deps: DialDeps, signal: AbortSignal,
): Promise<Dialled> {
  try {
    return { upstream: await openUpstream(spec(admitted, 0), deps.metrics, signal), admitted };
  } catch (err) {
    if (signal.aborted) throw err;
  }
  deps.metrics.cacheInvalidations.inc();
  const { route } = admitted;
  const fresh = place(route, await deps.resolver.refresh(route.namespace, route.id), deps);
  // The first attempt counts against the retries when the address did not change.
  const retries = fresh.host === admitted.host ? Math.max(0, deps.maxRetries - 1) : deps.maxRetries;
  try {
    return { upstream: await openUpstream(spec(fresh, retries), deps.metrics, signal), admitted: fresh };
  } catch (err) {
    // Counted once per request: the failed first attempt shows up as the cache invalidation above.
    if (!signal.aborted) deps.metrics.upstreamErrors.inc({ sandbox_namespace: fresh.target.namespace, reason: upstreamErrorReason(err as NodeJS.ErrnoException) });
    throw err;
  }
}
