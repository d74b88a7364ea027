// The router's side listeners: Prometheus `/metrics`, liveness `/healthz`, readiness `/readyz`
// (ready once the sandbox cache has loaded its first list).
import * as http from 'node:http';
import type { RouterMetrics } from './metrics';
import type { SandboxResolver } from './resolver';

export function createAdminServer(metrics: RouterMetrics, resolver: SandboxResolver): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/metrics') {
      void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
      return;
    }
    const ready = path === '/readyz' ? resolver.ready() : path === '/healthz' ? true : undefined;
    if (ready === undefined) {
      res.writeHead(404);
      return void res.end();
    }
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: ready ? 'ok' : 'not ready' }));
  });
}
