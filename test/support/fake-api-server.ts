// An in-memory API server for unit tests: objects per resource with resourceVersions, uids and generations;
// 404 NotFound, 409 Conflict (resourceVersion and uid preconditions) and 409 AlreadyExists as ApiErrors; JSON merge
// patches (status only through the status subresource); and watch events that feed real Informers. The watch can be
// held back to make the caches lag the server, and a write can be made to fail after it was applied (a 5xx whose
// outcome the caller cannot know). It implements the API calls the controllers and router take (KubeApi), and records
// every request (reads too) with its body, for tests that count what a pass asked for.
import { randomUUID } from 'node:crypto';
import {
  ApiError, Informer, type DeleteOptions, type IndexFunc, type KubeApi, type KubeObject, type ListOptions,
  type ListerWatcher, type MergePatchOptions, type ObjectList, type ResourceType, type WatchEvent,
} from '../../lib/kube';

type WriteVerb = 'create' | 'update' | 'patch' | 'delete';
type Verb = 'get' | 'list' | WriteVerb;

export interface FaultOptions {
  /** The write happens, then the caller gets the code (an unknown outcome); otherwise it fails before. @default false */
  afterApplying?: boolean;
  /** The Status message the server answers with. @default none */
  message?: string;
  /** How many such writes fail in a row (Infinity: until clearFaults). @default 1 */
  times?: number;
}

interface Fault extends FaultOptions {
  verb: WriteVerb;
  plural: string;
  code: number;
  /** Failures left. */
  times: number;
}

interface Watcher {
  plural: string;
  namespace?: string;
  onEvent(event: WatchEvent): void;
}

export interface RecordedRequest {
  verb: Verb;
  plural: string;
  /** `status` for a write to the status subresource. */
  subresource?: string;
  namespace: string;
  /** Empty for a list. */
  name: string;
  /** What the server answered: the HTTP status code (200/201 on success, 404 for a get of nothing). */
  code: number;
  /** The object created or updated, or the merge patch, as sent. */
  body?: unknown;
  /** A delete's propagation policy, as asked. */
  propagationPolicy?: DeleteOptions['propagationPolicy'];
  /** A list's label selector, as asked. */
  labelSelector?: string;
}

export interface RecordedWrite extends RecordedRequest {
  verb: WriteVerb;
}

/** JSON merge patch (RFC 7386): objects merge key by key, null deletes, anything else replaces. */
export function mergePatch<T>(target: T, patch: unknown): T {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch as T;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out as T;
}

function matchesLabels(obj: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels = obj.metadata?.labels ?? {};
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return value === undefined ? key in labels : labels[key] === value;
  });
}

export class FakeApiServer implements KubeApi {
  /** Every request the server was asked for, reads and writes, in order (successful or not). */
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly watchers = new Set<Watcher>();
  private readonly faults: Fault[] = [];
  private held?: { watcher: Watcher; event: WatchEvent }[];
  private version = 100;

  /** This server as the API the controllers take. */
  get client(): KubeApi {
    return this;
  }

  /** Every write the server was asked for, in order (successful or not). */
  get writes(): RecordedWrite[] {
    return this.requests.filter((r): r is RecordedWrite => r.verb !== 'get' && r.verb !== 'list');
  }

  /** Stores `obj` as it is (for setting up state), stamping uid and resourceVersion; emits a watch event. */
  seed<T extends KubeObject>(type: ResourceType, obj: T): T {
    const stored = this.stamp(clone(obj), undefined);
    this.put(type, stored, this.find(type, stored) ? 'MODIFIED' : 'ADDED');
    return clone(stored) as T;
  }

  /** Holds watch events back from now on: caches stop seeing writes (they lag the server). */
  holdWatch(): void {
    this.held ??= [];
  }

  /** Delivers the held-back events in order and lets later ones through at once; with `count`, only that many and holds on. */
  releaseWatch(count?: number): void {
    const held = this.held ?? [];
    if (count === undefined) this.held = undefined;
    for (const { watcher, event } of held.splice(0, count ?? held.length)) watcher.onEvent(event);
  }

  /** The next `verb` on `plural` (or the next `times` of them) fails with `code`. */
  failNext(verb: WriteVerb, plural: string, code: number, options: FaultOptions = {}): void {
    this.faults.push({ verb, plural, code, ...options, times: options.times ?? 1 });
  }

  /** Writes succeed again. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** A real Informer over this server, started and synced; stop it with the returned signal's controller. */
  async informer<T extends KubeObject>(type: ResourceType, indexers: Record<string, IndexFunc<T>> = {}, signal?: AbortSignal): Promise<Informer<T>> {
    const informer = new Informer<T>(this.listerWatcher<T>(type), { name: type.kind, indexers });
    void informer.start(signal ?? new AbortController().signal);
    await informer.waitForSync();
    return informer;
  }

  listerWatcher<T extends KubeObject>(type: ResourceType, namespace?: string): ListerWatcher<T> {
    return {
      list: async () => this.list<T>(type, { namespace }),
      watch: (_resourceVersion, signal, onEvent) => new Promise<void>((resolve) => {
        const watcher: Watcher = { plural: type.plural, namespace, onEvent: onEvent as (event: WatchEvent) => void };
        this.watchers.add(watcher);
        signal.addEventListener('abort', () => { this.watchers.delete(watcher); resolve(); }, { once: true });
      }),
    };
  }

  /** KubeClient.watch: events from now on, until `signal` aborts (so `listerWatcherFor(server.client, …)` works). */
  watch<T extends KubeObject>(type: ResourceType, opts: { namespace?: string; signal?: AbortSignal }, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    return this.listerWatcher<T>(type, opts.namespace).watch('', opts.signal ?? new AbortController().signal, onEvent);
  }

  async get<T extends KubeObject>(type: ResourceType, namespace: string, name: string): Promise<T> {
    const obj = this.read(type, namespace, name);
    if (!obj) throw notFound(type, name);
    return obj as T;
  }

  async getOrUndefined<T extends KubeObject>(type: ResourceType, namespace: string, name: string): Promise<T | undefined> {
    return this.read(type, namespace, name) as T | undefined;
  }

  async list<T extends KubeObject>(type: ResourceType, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const selector = opts.labelSelector === undefined ? {} : { labelSelector: opts.labelSelector };
    this.requests.push({ verb: 'list', plural: type.plural, namespace: opts.namespace ?? '', name: '', code: 200, ...selector });
    const items = [...this.bucket(type).values()]
      .filter((o) => opts.namespace === undefined || o.metadata?.namespace === opts.namespace)
      .filter((o) => matchesLabels(o, opts.labelSelector));
    return { metadata: { resourceVersion: String(this.version) }, items: clone(items) as T[] };
  }

  async create<T extends KubeObject>(type: ResourceType, sent: T): Promise<T> {
    const generated = !sent.metadata?.name && sent.metadata?.generateName;
    const obj = generated ? { ...sent, metadata: { ...sent.metadata, name: `${generated}${randomUUID().slice(0, 5)}` } } : sent;
    const { namespace = '', name = '' } = obj.metadata ?? {};
    return this.write('create', type, namespace, name, { body: clone(sent) }, () => {
      if (this.find(type, obj)) throw new ApiError(409, { reason: 'AlreadyExists', message: `${type.plural} "${name}" already exists` }, 'create');
      const stored = this.stamp(clone(obj), undefined);
      this.put(type, stored, 'ADDED');
      return stored as T;
    });
  }

  /** A PUT: replaces the object (status kept), guarded by the resourceVersion it carries. */
  async update<T extends KubeObject>(type: ResourceType, obj: T): Promise<T> {
    const { namespace = '', name = '', resourceVersion } = obj.metadata ?? {};
    return this.write('update', type, namespace, name, { body: clone(obj) }, () => {
      const current = this.bucket(type).get(key(namespace, name));
      if (!current) throw notFound(type, name);
      if (resourceVersion !== undefined && resourceVersion !== current.metadata?.resourceVersion) throw conflict(type, name);
      const stored = this.stamp({ ...clone(obj), status: (current as { status?: unknown }).status } as KubeObject, current);
      this.put(type, stored, 'MODIFIED');
      return stored as T;
    });
  }

  async mergePatch<T extends KubeObject>(type: ResourceType, namespace: string, name: string, patch: object, opts: MergePatchOptions = {}): Promise<T> {
    const sent = { body: clone(patch), ...(opts.subresource ? { subresource: opts.subresource } : {}) };
    return this.write('patch', type, namespace, name, sent, () => {
      const current = this.bucket(type).get(key(namespace, name));
      if (!current) throw notFound(type, name);
      if (opts.resourceVersion !== undefined && opts.resourceVersion !== current.metadata?.resourceVersion) throw conflict(type, name);
      const { status, ...rest } = patch as { status?: unknown };
      const applied = opts.subresource === 'status' ? mergePatch(current, { status }) : mergePatch(current, rest);
      const stored = this.stamp(applied, current);
      this.put(type, stored, 'MODIFIED');
      return stored as T;
    });
  }

  async delete(type: ResourceType, namespace: string, name: string, opts: DeleteOptions = {}): Promise<void> {
    await this.write('delete', type, namespace, name, opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}, () => {
      const current = this.bucket(type).get(key(namespace, name));
      if (!current) throw notFound(type, name);
      const { uid, resourceVersion } = opts.preconditions ?? {};
      if ((uid !== undefined && uid !== current.metadata?.uid) || (resourceVersion !== undefined && resourceVersion !== current.metadata?.resourceVersion)) {
        throw conflict(type, name);
      }
      this.bucket(type).delete(key(namespace, name));
      this.version++;
      this.emit(type, { type: 'DELETED', object: clone({ ...current, metadata: { ...current.metadata, resourceVersion: String(this.version) } }) });
      return current;
    });
  }

  /** The stored object, or undefined (for assertions). */
  peek<T extends KubeObject>(type: ResourceType, namespace: string, name: string): T | undefined {
    const obj = this.bucket(type).get(key(namespace, name));
    return obj && (clone(obj) as T);
  }

  /** Every stored object of `type` (for assertions). */
  all<T extends KubeObject>(type: ResourceType): T[] {
    return clone([...this.bucket(type).values()]) as T[];
  }

  private read(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const obj = this.bucket(type).get(key(namespace, name));
    this.requests.push({ verb: 'get', plural: type.plural, namespace, name, code: obj ? 200 : 404 });
    return obj && clone(obj);
  }

  private async write<T>(verb: WriteVerb, type: ResourceType, namespace: string, name: string, extra: Partial<RecordedRequest>, apply: () => T): Promise<T> {
    const at = this.faults.findIndex((f) => f.verb === verb && f.plural === type.plural);
    const fault = at >= 0 ? this.faults[at] : undefined;
    if (fault && --fault.times <= 0) this.faults.splice(at, 1);
    const record = (code: number) => this.requests.push({ verb, plural: type.plural, namespace, name, code, ...extra });
    if (fault && !fault.afterApplying) {
      record(fault.code);
      throw new ApiError(fault.code, fault.message ? { message: fault.message } : {}, verb);
    }
    let result: T;
    try {
      result = apply();
    } catch (err) {
      record(err instanceof ApiError ? err.code : 500);
      throw err;
    }
    if (fault) {
      record(fault.code);
      throw new ApiError(fault.code, fault.message ? { message: fault.message } : {}, verb);
    }
    record(verb === 'create' ? 201 : 200);
    return clone(result);
  }

  private stamp(obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    this.version++;
    const meta = obj.metadata ?? {};
    const specChanged = previous !== undefined && JSON.stringify((obj as { spec?: unknown }).spec) !== JSON.stringify((previous as { spec?: unknown }).spec);
    obj.metadata = {
      ...meta,
      uid: previous?.metadata?.uid ?? meta.uid ?? randomUUID(),
      resourceVersion: String(this.version),
      creationTimestamp: previous?.metadata?.creationTimestamp ?? meta.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      generation: previous ? (previous.metadata?.generation ?? 1) + (specChanged ? 1 : 0) : (meta.generation ?? 1),
    };
    return obj;
  }

  private put(type: ResourceType, obj: KubeObject, event: 'ADDED' | 'MODIFIED'): void {
    this.bucket(type).set(key(obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''), obj);
    this.emit(type, { type: event, object: clone(obj) });
  }

  private emit(type: ResourceType, event: WatchEvent): void {
    for (const watcher of this.watchers) {
      if (watcher.plural !== type.plural) continue;
      if (watcher.namespace !== undefined && watcher.namespace !== event.object.metadata?.namespace) continue;
      if (this.held) this.held.push({ watcher, event: clone(event) });
      else watcher.onEvent(clone(event));
    }
  }

  private find(type: ResourceType, obj: KubeObject): KubeObject | undefined {
    return this.bucket(type).get(key(obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''));
  }

  private bucket(type: ResourceType): Map<string, KubeObject> {
    let bucket = this.objects.get(type.plural);
    if (!bucket) this.objects.set(type.plural, (bucket = new Map()));
    return bucket;
  }
}

/**
 * A copy as the wire makes it (JSON). Not structuredClone: under jest that builds objects of another realm, which
 * isDeepStrictEqual tells apart from equal objects the code under test builds.
 */
function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

function key(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(404, { reason: 'NotFound', message: `${type.plural} "${name}" not found` }, 'fake');
}

function conflict(type: ResourceType, name: string): ApiError {
  return new ApiError(409, { reason: 'Conflict', message: `Operation cannot be fulfilled on ${type.plural} "${name}": the object has been modified` }, 'fake');
}
