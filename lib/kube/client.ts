// KubeClient: typed CRUD, server-side apply, status subresource and watch over our own transport, with a client-side
// QPS/burst limiter and per-verb request counters (for metrics and benches).
import type { CredentialSource } from './credentials';
import { loadCredentials } from './load-credentials';
import { ApiError } from './errors';
import { resourcePath, type ResourceType } from './resources';
import { TokenBucket } from './token-bucket';
import { Transport, type HttpTransport, type RequestSpec, type TransportOptions } from './transport';
import type { KubeObject, ObjectList, Status, WatchEvent } from './types';
import { decodeWatchStream } from './watch-stream';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'apply' | 'delete';

/** One finished request, reported to `onRequest` observers (metrics). */
export interface RequestRecord {
  verb: Verb;
  resource: string;
  method: string;
  /** HTTP status; 0 when the request failed before an answer. */
  code: number;
  durationMs: number;
}

export interface KubeClientOptions extends CredentialSource, TransportOptions {
  /** Client-side requests per second; negative or 0 disables the limiter (rely on API Priority and Fairness). @default -1 */
  qps?: number;
  /** Burst for the limiter. @default 10 */
  burst?: number;
  /** Field manager of every create, update and merge patch that names none. @default none (the server derives one from the user agent) */
  fieldManager?: string;
}

/** Cancels one call (e.g. a caller's deadline); the call then rejects with an AbortError. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Where a client connects: for messages that name the server and kubeconfig context. */
export interface ClientOrigin {
  server: string;
  context?: string;
  /** The kubeconfig context's namespace (in-cluster: the pod's), if any. */
  namespace?: string;
}

export interface ListOptions extends CallOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

export interface WriteOptions extends CallOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export interface MergePatchOptions extends WriteOptions {
  /** Optimistic lock: the patch fails with 409 Conflict unless the object is still at this resourceVersion. */
  resourceVersion?: string;
  subresource?: 'status';
}

export interface ApplyOptions {
  fieldManager: string;
  /** Take ownership of fields managed by others. @default false */
  force?: boolean;
  subresource?: 'status';
}

export interface DeleteOptions extends CallOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Server-side watch timeout. @default random 300..600 s, like client-go */
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

/**
 * The API calls themselves, without the client's plumbing (credentials, rate limit, request counts): what controllers
 * and the router take, so a unit test can hand them the in-memory API server instead.
 */
export type KubeApi = Pick<KubeClient, 'get' | 'getOrUndefined' | 'list' | 'create' | 'update' | 'mergePatch' | 'delete' | 'watch'>;

export class KubeClient {
  /** Loads credentials (explicit kubeconfig, in-cluster, or the default chain) and builds a client. */
  static async create(options: KubeClientOptions = {}): Promise<KubeClient> {
    const credentials = await loadCredentials(options);
    const origin = { server: credentials.server.href.replace(/\/$/, ''), context: credentials.context, namespace: credentials.namespace };
    return new KubeClient(new Transport(credentials, options), options, origin);
  }

  private readonly limiter?: TokenBucket;
  private readonly counts = new Map<Verb, number>();
  private readonly observers: ((r: RequestRecord) => void)[] = [];

  private readonly fieldManager?: string;

  constructor(
    private readonly transport: HttpTransport,
    options: Pick<KubeClientOptions, 'qps' | 'burst' | 'fieldManager'> = {},
    /** Set by create(); undefined for a client built on a given transport. */
    readonly origin?: ClientOrigin,
  ) {
    this.fieldManager = options.fieldManager;
    const qps = options.qps ?? -1;
    if (qps > 0) this.limiter = new TokenBucket(qps, options.burst ?? 10);
  }

  /** Requests sent so far, per verb. */
  requestCounts(): Record<Verb, number> {
    const out = { get: 0, list: 0, watch: 0, create: 0, update: 0, patch: 0, apply: 0, delete: 0 };
    for (const [verb, n] of this.counts) out[verb] = n;
    return out;
  }

  /** Total requests sent so far. */
  totalRequests(): number {
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  /** Calls `observer` after every request (metrics). */
  onRequest(observer: (r: RequestRecord) => void): void {
    this.observers.push(observer);
  }

  async get<T extends KubeObject>(type: ResourceType, namespace: string, name: string, opts: CallOptions = {}): Promise<T> {
    return this.json<T>('get', type, { method: 'GET', path: resourcePath(type, namespace, name), signal: opts.signal });
  }

  /** Like get, but resolves undefined on 404. */
  async getOrUndefined<T extends KubeObject>(type: ResourceType, namespace: string, name: string): Promise<T | undefined> {
    try {
      return await this.get<T>(type, namespace, name);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  /** One page (or everything when no limit) of a collection, in one namespace or all. */
  async list<T extends KubeObject>(type: ResourceType, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const { namespace, signal, ...query } = opts;
    return this.json<ObjectList<T>>('list', type, { method: 'GET', path: resourcePath(type, namespace), query, signal });
  }

  /** Every item, following `continue` tokens page by page. */
  async listAll<T extends KubeObject>(type: ResourceType, opts: Omit<ListOptions, 'continue'> = {}): Promise<ObjectList<T>> {
    const first = await this.list<T>(type, { limit: 500, ...opts });
    while (first.metadata.continue) {
      const page = await this.list<T>(type, { limit: 500, ...opts, continue: first.metadata.continue, resourceVersion: undefined });
      first.items.push(...page.items);
      first.metadata = page.metadata;
    }
    return first;
  }

  async create<T extends KubeObject>(type: ResourceType, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.json<T>('create', type, { method: 'POST', path: resourcePath(type, obj.metadata?.namespace), body: obj, query: this.writeQuery(opts), signal: opts.signal });
  }

  /** PUT the whole object; fails with 409 Conflict when its resourceVersion is stale. */
  async update<T extends KubeObject>(type: ResourceType, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.json<T>('update', type, { method: 'PUT', path: objectPath(type, obj), body: obj, query: this.writeQuery(opts) });
  }

  /** PUT to the /status subresource (spec changes are ignored by the server). */
  async updateStatus<T extends KubeObject>(type: ResourceType, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.json<T>('update', type, { method: 'PUT', path: objectPath(type, obj, 'status'), body: obj, query: this.writeQuery(opts) });
  }

  /** JSON merge patch (RFC 7386); `null` values delete keys. */
  async mergePatch<T extends KubeObject>(type: ResourceType, namespace: string, name: string, patch: object, opts: MergePatchOptions = {}): Promise<T> {
    const body = opts.resourceVersion ? withResourceVersion(patch, opts.resourceVersion) : patch;
    return this.json<T>('patch', type, {
      method: 'PATCH', path: resourcePath(type, namespace, name, opts.subresource), body,
      contentType: 'application/merge-patch+json', query: this.writeQuery(opts),
    });
  }

  /** Server-side apply of a (partial) object owned by `fieldManager`. */
  async apply<T extends KubeObject>(type: ResourceType, obj: KubeObject, opts: ApplyOptions): Promise<T> {
    return this.json<T>('apply', type, {
      method: 'PATCH', path: objectPath(type, obj, opts.subresource), body: obj,
      contentType: 'application/apply-patch+yaml', query: { fieldManager: opts.fieldManager, force: opts.force || undefined },
    });
  }

  /** Deletes one object. 404 is an error here; use isNotFound to treat it as done. */
  async delete(type: ResourceType, namespace: string, name: string, opts: DeleteOptions = {}): Promise<void> {
    const { signal, ...deleteOptions } = opts;
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', ...deleteOptions };
    await this.json<Status>('delete', type, { method: 'DELETE', path: resourcePath(type, namespace, name), body, signal });
  }

  /**
   * Streams watch events to `onEvent`. Resolves when the server ends the watch (timeout) or `signal` aborts; rejects
   * with ApiError on an HTTP error or an ERROR event (410 Gone => relist), or on a network error.
   */
  async watch<T extends KubeObject>(type: ResourceType, opts: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const { namespace, signal, timeoutSeconds = 300 + Math.floor(Math.random() * 300), ...rest } = opts;
    const spec: RequestSpec = { method: 'GET', path: resourcePath(type, namespace), query: { ...rest, watch: true, timeoutSeconds }, signal };
    const started = performance.now();
    await this.limiter?.take();
    this.count('watch');
    let code = 0;
    try {
      const stream = await this.transport.openStream(spec, (timeoutSeconds + 30) * 1000);
      code = 200;
      let failure: ApiError | undefined;
      await decodeWatchStream<T>(stream, (event) => {
        if (failure) return;
        if (event.type === 'ERROR') {
          const status = event.object as unknown as Status;
          failure = new ApiError(status.code ?? 500, status, `watch ${spec.path}`);
          stream.destroy();
          return;
        }
        onEvent(event);
      });
      if (failure) throw failure;
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof ApiError) code = err.code;
      throw err;
    } finally {
      this.observe({ verb: 'watch', resource: type.plural, method: 'GET', code, durationMs: performance.now() - started });
    }
  }

  close(): void {
    this.transport.close();
  }

  private writeQuery(opts: WriteOptions): RequestSpec['query'] {
    return { fieldManager: opts.fieldManager ?? this.fieldManager, dryRun: opts.dryRun ? 'All' : undefined };
  }

  private async json<T>(verb: Verb, type: ResourceType, spec: RequestSpec): Promise<T> {
    await this.limiter?.take();
    this.count(verb);
    const started = performance.now();
    let code = 0;
    try {
      const res = await this.transport.request(spec);
      code = res.code;
      return JSON.parse(res.body) as T;
    } catch (err) {
      if (err instanceof ApiError) code = err.code;
      throw err;
    } finally {
      this.observe({ verb, resource: type.plural, method: spec.method, code, durationMs: performance.now() - started });
    }
  }

  private count(verb: Verb): void {
    this.counts.set(verb, (this.counts.get(verb) ?? 0) + 1);
  }

  private observe(record: RequestRecord): void {
    for (const observer of this.observers) observer(record);
  }
}

function objectPath(type: ResourceType, obj: KubeObject, subresource?: string): string {
  if (!obj.metadata?.name) throw new Error(`${type.kind}: metadata.name is required`);
  return resourcePath(type, obj.metadata.namespace, obj.metadata.name, subresource);
}

function withResourceVersion(patch: object, resourceVersion: string): object {
  const p = patch as { metadata?: object };
  return { ...p, metadata: { ...(p.metadata ?? {}), resourceVersion } };
}
