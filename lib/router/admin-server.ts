// The router's side listeners: Prometheus `/metrics`, liveness `/healthz`, readiness `/readyz`
// (ready once the sandbox and node caches have loaded their first lists).
import * as http from 'node:http';
import type { RouterMetrics } from './metrics';

/** `ready` answers `/readyz`. */
export function createAdminServer(metrics: RouterMetrics, ready: () => boolean): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/metrics') {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
      return;
    }
    const ok = path === '/readyz' ? ready() : path === '/healthz' ? true : undefined;
    if (ok === undefined) {
      res.writeHead(404);
      return void res.end();
    }
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: ok ? 'ok' : 'not ready' }));
  });
}
