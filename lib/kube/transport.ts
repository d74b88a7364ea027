// HTTP transport to the API server: keep-alive connection pools (round-robin for requests, a dedicated pool for
// long-lived watches so a burst of writes can never starve or stall watch streams), auth headers refreshed over time.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Credentials } from './credentials';
import { ApiError } from './errors';

export interface TransportOptions {
  /** Independent keep-alive pools that non-watch requests are spread over round-robin. @default 1 */
  connections?: number;
  /** Parallel sockets per pool (HTTP/1.1 carries one in-flight request per socket). @default 64 */
  socketsPerConnection?: number;
  /**
   * Give watches their own keep-alive pool so write bursts never queue behind or starve them. When false, watches
   * share the first request pool (each still holds its own socket). @default true
   */
  separateWatchConnection?: boolean;
  /** Deadline for a non-watch request. @default 60000 */
  requestTimeoutMs?: number;
  /** How often token-based auth headers are re-read. @default 60000 */
  headerRefreshMs?: number;
  userAgent?: string;
}

export interface RawResponse {
  code: number;
  body: string;
}

export interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

const jsonType = 'application/json';

/** What KubeClient needs from a transport. */
export interface HttpTransport {
  request(spec: RequestSpec): Promise<RawResponse>;
  openStream(spec: RequestSpec, idleTimeoutMs: number): Promise<http.IncomingMessage>;
  close(): void;
}

export class Transport implements HttpTransport {
  private readonly requestAgents: http.Agent[];
  private readonly watchAgent: http.Agent;
  private next = 0;
  private headers: Record<string, string>;
  private readonly refreshTimer: NodeJS.Timeout;
  private readonly secure: boolean;

  constructor(private readonly creds: Credentials, private readonly options: TransportOptions = {}) {
    this.secure = creds.server.protocol === 'https:';
    const makeAgent = (maxSockets: number) => {
      const agentOptions = { keepAlive: true, maxSockets, scheduling: 'lifo' as const, ...creds.tls };
      return this.secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    };
    const pools = Math.max(1, options.connections ?? 1);
    this.requestAgents = Array.from({ length: pools }, () => makeAgent(options.socketsPerConnection ?? 64));
    this.watchAgent = options.separateWatchConnection === false ? this.requestAgents[0] : makeAgent(Infinity);
    this.headers = { ...creds.headers, 'User-Agent': options.userAgent ?? 'agent-sandbox-kit' };
    this.refreshTimer = setInterval(() => void this.refreshHeaders().catch(() => undefined), options.headerRefreshMs ?? 60_000);
    this.refreshTimer.unref();
  }

  /** Sends one request and buffers the answer. Non-2xx answers become ApiError. */
  async request(spec: RequestSpec): Promise<RawResponse> {
    let res = await this.send(spec);
    if (res.code === 401) {
      // A rotated token: re-read credentials once and retry.
      await this.refreshHeaders();
      res = await this.send(spec);
    }
    if (res.code < 200 || res.code >= 300) throw ApiError.fromBody(res.code, res.body, `${spec.method} ${spec.path}`);
    return res;
  }

  /**
   * Opens a streaming GET on the watch pool. Resolves with the response once headers arrive (status 200), rejects
   * with ApiError otherwise. `idleTimeoutMs` destroys the socket when no bytes arrive for that long.
   */
  openStream(spec: RequestSpec, idleTimeoutMs: number): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.client().request(this.url(spec), { method: 'GET', agent: this.watchAgent, headers: { ...this.headers, Accept: jsonType }, signal: spec.signal });
      req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`watch ${spec.path}: no data for ${idleTimeoutMs} ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        if (res.statusCode === 200) return resolve(res);
        readBody(res).then((body) => reject(ApiError.fromBody(res.statusCode ?? 0, body, `GET ${spec.path}`)), reject);
      });
      req.end();
    });
  }

  close(): void {
    clearInterval(this.refreshTimer);
    for (const agent of new Set([...this.requestAgents, this.watchAgent])) agent.destroy();
  }

  private async refreshHeaders(): Promise<void> {
    this.headers = { ...this.headers, ...(await this.creds.refreshHeaders()) };
  }

  private client(): typeof http | typeof https {
    return this.secure ? https : http;
  }

  private url(spec: RequestSpec): URL {
    const url = new URL(spec.path, this.creds.server);
    // A server URL with a path prefix (e.g. behind a proxy) keeps it.
    if (this.creds.server.pathname !== '/') url.pathname = this.creds.server.pathname.replace(/\/$/, '') + spec.path;
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    return url;
  }

  private send(spec: RequestSpec): Promise<RawResponse> {
    const agent = this.requestAgents[this.next++ % this.requestAgents.length];
    const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
    const headers: Record<string, string | number> = { ...this.headers, Accept: jsonType };
    if (payload) {
      headers['Content-Type'] = spec.contentType ?? jsonType;
      headers['Content-Length'] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const req = this.client().request(this.url(spec), { method: spec.method, agent, headers, signal: spec.signal });
      const timeout = this.options.requestTimeoutMs ?? 60_000;
      req.setTimeout(timeout, () => req.destroy(new Error(`${spec.method} ${spec.path}: timed out after ${timeout} ms`)));
      req.on('error', reject);
      req.on('response', (res) => readBody(res).then((body) => resolve({ code: res.statusCode ?? 0, body }), reject));
      req.end(payload);
    });
  }
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
