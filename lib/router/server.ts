// The sandbox router's proxy server: admits each request (headers, auth, cache lookup), streams it to the
// sandbox over keep-alive connections, passes WebSocket/upgrade connections through, and enforces
// connection/in-flight limits, timeouts (total for unary requests, idle for streamed responses, idle for
// connections between requests and upgraded ones), access logs and metrics.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { PACKAGE_VERSION } from '../builders/package-version';
import { admit, type Admitted, type AdmissionDeps } from './admission';
import type { Authorizer } from './auth/authorizer';
import { dialSandbox, type Dialled } from './dial';
import { clientResponseHeaders, isStreamedResponse, rawResponseHead, upstreamRequestHeaders } from './forwarding';
import { RouteError } from './headers';
import { parsePortList, type RouterConfig } from './config';
import { RouterMetrics, upstreamErrorReason } from './metrics';
import { NO_NODES, type NodeAddressIndex } from './node-addresses';
import type { SandboxResolver } from './resolver';
import type { UpstreamRequest } from './upstream';
import { observeFirstByte, trackActivity, type RouterLifecycle } from './lifecycle/hooks';

export interface AccessLogEntry {
  time: string;
  remote: string | undefined;
  method: string | undefined;
  path: string;
  status: number;
  duration_ms: number;
  sandbox_namespace?: string;
  sandbox_id?: string;
  upstream?: string;
  detail?: string;
}

export interface RouterServerOptions {
  readonly config: RouterConfig;
  readonly resolver: SandboxResolver;
  readonly authorizer: Authorizer;
  /** Node addresses the router must never dial. @default - none known (unit tests; production watches Nodes) */
  readonly nodeAddresses?: NodeAddressIndex;
  readonly metrics?: RouterMetrics;
  /** Receives one entry per request when `config.accessLog`. @default JSON line on stdout */
  readonly accessLog?: (entry: AccessLogEntry) => void;
  /** Resume on request and activity for idle suspend. @default - neither */
  readonly lifecycle?: RouterLifecycle;
}

function sendDetail(res: http.ServerResponse, status: number, detail: string, retryAfterSeconds?: number): void {
  const body = JSON.stringify({ detail });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }) });
  res.end(body);
}

function writeRawDetail(socket: Duplex, status: number, detail: string, retryAfterSeconds?: number): void {
  const body = JSON.stringify({ detail });
  const reason = http.STATUS_CODES[status] ?? 'Error';
  const retryAfter = retryAfterSeconds === undefined ? '' : `retry-after: ${retryAfterSeconds}\r\n`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${retryAfter}connection: close\r\n\r\n${body}`);
}

/** Seconds a client refused for a full queue should wait. */
const QUEUE_RETRY_AFTER_SECONDS = 1;

const pathOf = (req: http.IncomingMessage): string => (req.url ?? '/').split('?', 1)[0]!;

export class RouterServer {
  /** The plain-HTTP listener; `tlsServer()` adds TLS listeners serving the same routes. */
  readonly server: http.Server;
  readonly metrics: RouterMetrics;
  private readonly servers: http.Server[] = [];
  private readonly agent: http.Agent;
  private readonly deps: AdmissionDeps;
  private inflight = 0;
  /** Proxied requests per sandbox (`namespace/name`) being served or waiting for a connection. */
  private readonly perSandbox = new Map<string, number>();

  constructor(private readonly options: RouterServerOptions) {
    const { config } = options;
    this.metrics = options.metrics ?? new RouterMetrics();
    this.metrics.buildInfo.set({ version: PACKAGE_VERSION, authz_mode: options.authorizer.mode }, 1);
    this.deps = {
      resolver: options.resolver, authorizer: options.authorizer, metrics: this.metrics, allowLoopbackPodIP: config.allowLoopbackPodIP,
      nodeAddresses: options.nodeAddresses ?? NO_NODES, allowedPorts: parsePortList(config.allowedSandboxPorts, '--allowed-sandbox-ports'),
      trustPortForward: config.authzTrustPortForward,
      waker: options.lifecycle?.waker,
    };
    this.agent = new http.Agent({ keepAlive: true, maxSockets: config.maxConnectionsPerSandbox, maxFreeSockets: 64, timeout: config.idleTimeoutSeconds * 1000 });
    this.server = this.serve(http.createServer({ keepAliveTimeout: config.idleTimeoutSeconds * 1000 }));
  }

  /** A TLS listener (`--https-bind-address`) with the same routes, limits and timeouts as the plain one. */
  tlsServer(options: https.ServerOptions): https.Server {
    return this.serve(https.createServer({ ...options, keepAliveTimeout: this.options.config.idleTimeoutSeconds * 1000 }));
  }

  private serve<S extends http.Server>(server: S): S {
    const { config } = this.options;
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res));
    server.maxConnections = config.maxConnections;
    server.setTimeout(config.idleTimeoutSeconds * 1000);
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void this.handleUpgrade(req, socket, head));
    this.servers.push(server);
    return server;
  }

  listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as { port: number }).port));
    });
  }

  /**
   * Stops accepting connections, lets requests in flight finish for up to `graceMs` (`--shutdown-timeout`), then
   * closes every connection that is left.
   */
  async close(graceMs = 0): Promise<void> {
    const closed = Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    for (const server of this.servers) server.closeIdleConnections();
    const deadline = Date.now() + graceMs;
    while (this.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const server of this.servers) server.closeAllConnections();
    this.agent.destroy();
    await closed;
  }

  /**
   * Counts the request against its sandbox until the response closes; false when the sandbox already has its
   * connections busy and its queue full.
   */
  private enterSandboxQueue(admitted: Admitted, res: http.ServerResponse): boolean {
    const { maxConnectionsPerSandbox, maxQueuedRequestsPerSandbox } = this.options.config;
    const key = `${admitted.route.namespace}/${admitted.route.id}`;
    const count = this.perSandbox.get(key) ?? 0;
    if (count >= maxConnectionsPerSandbox + maxQueuedRequestsPerSandbox) return false;
    this.perSandbox.set(key, count + 1);
    res.once('close', () => {
      const left = (this.perSandbox.get(key) ?? 1) - 1;
      if (left > 0) this.perSandbox.set(key, left);
      else this.perSandbox.delete(key);
    });
    return true;
  }

  /** Connects to the sandbox (see dialSandbox: a refused cached address is re-resolved once). */
  private dial(req: http.IncomingMessage, admitted: Admitted, upgrade: boolean, signal: AbortSignal): Promise<Dialled> {
    const { config } = this.options;
    const deadline = Date.now() + config.proxyTimeoutSeconds * 1000;
    const spec = (target: Admitted, maxRetries: number): UpstreamRequest => ({
      host: target.host, port: target.route.port, method: req.method ?? 'GET', path: req.url ?? '/',
      headers: upstreamRequestHeaders(req, upgrade), agent: upgrade ? false : this.agent,
      idleTimeoutMs: config.idleTimeoutSeconds * 1000, maxRetries, deadline,
      retryInitialDelayMs: config.upstreamRetryInitialDelaySeconds * 1000, retryMaxDelayMs: config.upstreamRetryMaxDelaySeconds * 1000,
    });
    return dialSandbox(admitted, spec, { ...this.deps, maxRetries: config.upstreamMaxRetries }, signal);
  }

  private record(req: http.IncomingMessage, status: number, started: number, admitted?: Admitted, detail?: string): void {
    const durationSeconds = (performance.now() - started) / 1000;
    const labels = { method: req.method ?? '', code: String(status), sandbox_namespace: admitted?.target.namespace ?? 'unknown' };
    this.metrics.requests.inc(labels);
    this.metrics.duration.observe(labels, durationSeconds);
    if (!this.options.config.accessLog) return;
    const entry: AccessLogEntry = {
      time: new Date().toISOString(), remote: req.socket.remoteAddress, method: req.method, path: pathOf(req), status,
      duration_ms: Math.round(durationSeconds * 1e4) / 10, sandbox_namespace: admitted?.target.namespace, sandbox_id: admitted?.target.name,
      upstream: admitted ? `${admitted.host}:${admitted.route.port}` : undefined, detail,
    };
    (this.options.accessLog ?? ((e) => process.stdout.write(JSON.stringify(e) + '\n')))(entry);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    let admitted: Admitted | undefined;
    let detail: string | undefined;
    // A response the router cut after its headers went out is logged with the reason's status; 499: the client left.
    let cutWith: number | undefined;
    res.once('close', () => this.record(req, res.writableFinished ? res.statusCode : (cutWith ?? 499), started, admitted, detail));
    const refuse = (status: number, message: string, retryAfterSeconds?: number): void => {
      detail = message;
      if (!res.headersSent) return sendDetail(res, status, message, retryAfterSeconds);
      cutWith = status;
      res.destroy();
    };
    if (req.method === 'GET' && pathOf(req) === '/healthz' && req.headers['x-sandbox-id'] === undefined) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"status":"ok"}');
    }
    if (this.inflight >= this.options.config.maxInflightRequests) return refuse(503, 'Router is at capacity; retry later.');
    this.inflight++;
    this.metrics.inflight.inc();
    res.once('close', () => {
      this.inflight--;
      this.metrics.inflight.dec();
    });
    try {
      admitted = await admit(req, this.deps);
    } catch (err) {
      return err instanceof RouteError ? refuse(err.status, err.message, err.retryAfterSeconds) : refuse(500, `Router error: ${(err as Error).message}`);
    }
    const { config } = this.options;
    const id = admitted.route.id;
    trackActivity(this.options.lifecycle, admitted, res);
    if (!this.enterSandboxQueue(admitted, res)) {
      this.metrics.queueRejections.inc({ sandbox_namespace: admitted.target.namespace });
      return refuse(503, `Too many requests queued for sandbox ${admitted.route.namespace}/${id}; retry later.`, QUEUE_RETRY_AFTER_SECONDS);
    }
    const abort = new AbortController();
    const cut = (status: number, message: string): void => {
      refuse(status, message);
      abort.abort();
    };
    const { maxRequestBodyBytes } = config;
    if (maxRequestBodyBytes > 0) {
      const tooLarge = `Request body exceeds the router's limit of ${maxRequestBodyBytes} bytes.`;
      if (Number(req.headers['content-length'] ?? 0) > maxRequestBodyBytes) return refuse(413, tooLarge);
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxRequestBodyBytes && !abort.signal.aborted) cut(413, tooLarge);
      });
    }
    const expireAfter = (seconds: number, message: string): NodeJS.Timeout => setTimeout(() => cut(504, message), seconds * 1000);
    // An in-flight request is bounded by its own timer, not by the connections' idle timeout (a unary command may
    // be silent for minutes): the total timeout until a streamed response starts, then the stream idle timeout.
    res.setTimeout(0);
    let expiry = expireAfter(config.proxyTimeoutSeconds, `Timed out waiting for the backend sandbox: ${id}`);
    res.once('close', () => {
      clearTimeout(expiry);
      if (!res.writableFinished) abort.abort(); // client went away: cancel upstream (the runtime kills the command)
    });
    let upstream: http.ClientRequest;
    try {
      ({ upstream, admitted } = await this.dial(req, admitted, false, abort.signal));
    } catch (err) {
      if (abort.signal.aborted) return;
      return err instanceof RouteError ? refuse(err.status, err.message) : refuse(502, `Could not connect to the backend sandbox: ${id}`);
    }
    upstream.setTimeout(0);
    const headersDue = config.responseHeaderTimeoutSeconds > 0
      ? expireAfter(config.responseHeaderTimeoutSeconds, `No response headers from the backend sandbox within ${config.responseHeaderTimeoutSeconds}s: ${id}`)
      : undefined;
    res.once('close', () => clearTimeout(headersDue));
    upstream.on('response', (upRes) => {
      clearTimeout(headersDue);
      observeFirstByte(this.options.lifecycle, admitted!, started);
      if (isStreamedResponse(upRes.headers)) {
        clearTimeout(expiry);
        expiry = expireAfter(config.streamIdleTimeoutSeconds, `No data from the backend sandbox for ${config.streamIdleTimeoutSeconds}s: ${id}`);
        upRes.on('data', () => expiry.refresh());
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, clientResponseHeaders(upRes.headers));
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (abort.signal.aborted) return;
      this.metrics.upstreamErrors.inc({ sandbox_namespace: admitted!.target.namespace, reason: upstreamErrorReason(err) });
      refuse(502, `Could not connect to the backend sandbox: ${id}`);
    });
    req.pipe(upstream);
  }

  private async handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const started = performance.now();
    socket.on('error', () => socket.destroy());
    let admitted: Admitted;
    try {
      admitted = await admit(req, this.deps);
    } catch (err) {
      const status = err instanceof RouteError ? err.status : 500;
      this.record(req, status, started, undefined, (err as Error).message);
      return writeRawDetail(socket, status, (err as Error).message, err instanceof RouteError ? err.retryAfterSeconds : undefined);
    }
    const abort = new AbortController();
    socket.once('close', () => abort.abort());
    trackActivity(this.options.lifecycle, admitted, socket);
    let upstream: http.ClientRequest;
    try {
      ({ upstream, admitted } = await this.dial(req, admitted, true, abort.signal));
    } catch (err) {
      const [status, detail] = err instanceof RouteError ? [err.status, err.message] : [502, `Could not connect to the backend sandbox: ${admitted.route.id}`];
      this.record(req, status, started, admitted);
      return writeRawDetail(socket, status, detail);
    }
    upstream.on('upgrade', (upRes, upSocket, upHead) => {
      observeFirstByte(this.options.lifecycle, admitted, started);
      this.record(req, 101, started, admitted);
      socket.write(rawResponseHead(101, upRes.statusMessage ?? 'Switching Protocols', upRes.rawHeaders));
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      const idleMs = this.options.config.upgradeIdleTimeoutSeconds * 1000;
      const closeBoth = (): void => {
        socket.destroy();
        upSocket.destroy();
      };
      // Upgraded sockets come from servers that allow half-open connections, so 'end' must close both sides too.
      for (const side of [socket, upSocket]) {
        for (const event of ['error', 'end', 'close']) side.on(event, closeBoth);
      }
      upSocket.setTimeout(idleMs, closeBoth);
      upSocket.pipe(socket).pipe(upSocket);
    });
    upstream.on('response', (upRes) => {
      upRes.resume();
      // A client that asked to switch protocols never gets a success: the sandbox's own error, else 502.
      const answered = upRes.statusCode ?? 0;
      const status = answered >= 400 && answered <= 599 ? answered : 502;
      this.record(req, status, started, admitted);
      writeRawDetail(socket, status, `Sandbox ${admitted.route.id} did not accept the upgrade (it answered HTTP ${answered}).`);
    });
    upstream.on('error', () => writeRawDetail(socket, 502, `Could not connect to the backend sandbox: ${admitted.route.id}`));
    upstream.end();
  }
}
