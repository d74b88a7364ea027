// Tiny HTTP servers for /metrics and the health probes, bound from Go-style addresses (":8080", "127.0.0.1:8081";
// "0" disables the endpoint, as in controller-runtime).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RouteResult {
  code: number;
  body: string;
  contentType?: string;
}

export type Routes = Record<string, () => RouteResult | Promise<RouteResult>>;

/** Splits `host:port` (host may be empty = all interfaces); undefined for "0" (disabled). */
export function parseBindAddress(address: string): { host?: string; port: number } | undefined {
  if (address === '0') return undefined;
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid bind address ${JSON.stringify(address)}: want [host]:port or 0`);
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host: host || undefined, port };
}

/** Starts serving `routes` (GET only); resolves with the server once listening, or undefined when disabled. */
export async function serveRoutes(address: string, routes: Routes): Promise<http.Server | undefined> {
  const bind = parseBindAddress(address);
  if (!bind) return undefined;
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes[path];
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    Promise.resolve()
      .then(route)
      .then(
        (r) => res.writeHead(r.code, { 'Content-Type': r.contentType ?? 'text/plain; charset=utf-8' }).end(r.body),
        (err: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err instanceof Error ? err.message : String(err)}\n`),
      );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => resolve());
  });
  return server;
}

export function boundPort(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
