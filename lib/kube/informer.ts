// Informer: keeps a local, indexed cache of one resource in sync with the API server (LIST, then WATCH from the
// listed resourceVersion with bookmarks; resume from the last seen version; relist on 410 Gone; restart with backoff
// on any other failure or an early stream end) and tells event handlers about adds, updates and deletes.
import { isGone } from './errors';
import type { KubeApi } from './client';
import type { ResourceType } from './resources';
import { sleep } from './token-bucket';
import { objectKey, type KubeObject, type ObjectList, type WatchEvent } from './types';
import { Backoff } from './backoff';
import { Store, type CacheReader, type IndexFunc, type LabelSelector } from './store';

/** The two calls an informer needs; `listerWatcherFor` builds one over the API's list and watch. */
export interface ListerWatcher<T extends KubeObject> {
  list(resourceVersion: string): Promise<ObjectList<T>>;
  watch(resourceVersion: string, signal: AbortSignal, onEvent: (event: WatchEvent<T>) => void): Promise<void>;
}

export interface ListWatchScope {
  /** Only this namespace. @default all namespaces */
  namespace?: string;
  /** Server-side label selector, e.g. `agents.x-k8s.io/sandbox-name-hash`. */
  labelSelector?: string;
  fieldSelector?: string;
}

export function listerWatcherFor<T extends KubeObject>(client: Pick<KubeApi, 'list' | 'watch'>, type: ResourceType, scope: ListWatchScope = {}): ListerWatcher<T> {
  return {
    list: (resourceVersion) => client.list<T>(type, { ...scope, resourceVersion }),
    watch: (resourceVersion, signal, onEvent) => client.watch<T>(type, { ...scope, resourceVersion, allowWatchBookmarks: true, signal }, onEvent),
  };
}

export interface EventHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** Where an informer reports list/watch trouble (the controller runtime's Logger fits); fields are structured. */
export interface InformerLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A log that hands each warning and error to `onError` (for callers with one error callback and no logger). */
export function reportingTo(onError: ((err: unknown) => void) | undefined): InformerLog {
  const report = (msg: string, fields?: Record<string, unknown>) => onError?.(new Error(fields?.error ? `${msg}: ${String(fields.error)}` : msg));
  return { debug: () => undefined, info: () => undefined, warn: report, error: report };
}

const silent: InformerLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export interface InformerOptions<T extends KubeObject> {
  /** Name used in logs, e.g. the kind. */
  name: string;
  indexers?: Record<string, IndexFunc<T>>;
  /** Applied to every object before caching. @default strips metadata.managedFields */
  transform?: (obj: T) => T;
  /** Already scoped to this informer by the caller. @default discards everything */
  log?: InformerLog;
  /** A watch that ends sooner than this without events counts as a failure (backoff) rather than a normal timeout. */
  minHealthyWatchMs?: number;
  backoff?: Backoff;
  /** Called on every (re)list and watch failure, for metrics. */
  onRestart?(reason: 'relist' | 'error' | 'early-end'): void;
}

export function stripManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
  return obj;
}

export class Informer<T extends KubeObject> implements CacheReader<T> {
  readonly store: Store<T>;
  private readonly handlers: EventHandlers<T>[] = [];
  private readonly transform: (obj: T) => T;
  private readonly log: InformerLog;
  private readonly backoff: Backoff;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private lastResourceVersion = '';
  private running?: Promise<void>;

  constructor(private readonly lw: ListerWatcher<T>, private readonly options: InformerOptions<T>) {
    this.store = new Store<T>(options.indexers);
    this.transform = options.transform ?? stripManagedFields;
    this.log = options.log ?? silent;
    this.backoff = options.backoff ?? new Backoff();
  }

  /** Registers handlers; when the cache is already filled, replays its contents as adds (like client-go). */
  addEventHandler(handlers: EventHandlers<T>): void {
    this.handlers.push(handlers);
    if (this.synced && handlers.onAdd) for (const key of [...this.store.keys()]) this.call(() => handlers.onAdd!(this.store.getByKey(key)!));
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.store.addIndex(name, fn);
  }

  /** True once the first list has been loaded into the cache and handed to handlers. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves when synced, or when `signal` aborts. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.syncWaiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** resourceVersion of the newest event or list seen. */
  resourceVersion(): string {
    return this.lastResourceVersion;
  }

  /** Runs until `signal` aborts. Never gives up: every failure is logged and retried. */
  start(signal: AbortSignal): Promise<void> {
    this.running ??= this.run(signal);
    return this.running;
  }

  get(namespace: string, name: string): T | undefined { return this.store.get(namespace, name); }
  getByKey(key: string): T | undefined { return this.store.getByKey(key); }
  list(namespace?: string, selector?: LabelSelector): T[] { return this.store.list(namespace, selector); }
  byIndex(index: string, value: string): T[] { return this.store.byIndex(index, value); }
  size(): number { return this.store.size(); }

  private async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    // The first list may be served from the watch cache ("0"); after a 410 insist on a consistent list ("").
    let listFrom = '0';
    const minHealthy = this.options.minHealthyWatchMs ?? 1000;
    while (!signal.aborted) {
      try {
        if (needList) {
          const list = await this.lw.list(listFrom);
          this.replace(list.items);
          this.lastResourceVersion = list.metadata.resourceVersion ?? '';
          needList = false;
          this.markSynced();
          this.log.debug('listed', { items: list.items.length, resourceVersion: this.lastResourceVersion });
        }
        const started = performance.now();
        let events = 0;
        await this.lw.watch(this.lastResourceVersion, signal, (event) => {
          events++;
          this.handle(event);
        });
        if (signal.aborted) break;
        if (events === 0 && performance.now() - started < minHealthy) {
          this.options.onRestart?.('early-end');
          this.log.warn('watch ended early; restarting with backoff', { resourceVersion: this.lastResourceVersion });
          await sleep(this.backoff.next(), signal);
        } else {
          this.backoff.reset();
        }
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          this.options.onRestart?.('relist');
          this.log.info('resourceVersion expired; relisting', { resourceVersion: this.lastResourceVersion });
          needList = true;
          listFrom = '';
          continue;
        }
        this.options.onRestart?.('error');
        const delay = this.backoff.next();
        this.log.warn('list/watch failed; retrying', { error: err instanceof Error ? err.message : String(err), retryInMs: Math.round(delay), relist: needList });
        await sleep(delay, signal);
      }
    }
  }

  private handle(event: WatchEvent<T>): void {
    const rv = event.object.metadata?.resourceVersion;
    if (rv) this.lastResourceVersion = rv;
    switch (event.type) {
      case 'BOOKMARK':
        return;
      case 'ADDED':
      case 'MODIFIED': {
        const obj = this.transform(event.object);
        const old = this.store.upsert(obj);
        if (old) this.emit((h) => h.onUpdate?.(old, obj));
        else this.emit((h) => h.onAdd?.(obj));
        return;
      }
      case 'DELETED': {
        const old = this.store.remove(objectKey(event.object));
        const obj = this.transform(event.object);
        if (old) this.emit((h) => h.onDelete?.(obj));
        return;
      }
      default:
        this.log.warn('ignoring unknown watch event type', { type: event.type });
    }
  }

  /** Makes the cache equal to a fresh list, emitting the differences (updates only when the version changed). */
  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      const obj = this.transform(item);
      const key = objectKey(obj);
      seen.add(key);
      const old = this.store.upsert(obj);
      if (!old) this.emit((h) => h.onAdd?.(obj));
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit((h) => h.onUpdate?.(old, obj));
    }
    for (const key of [...this.store.keys()]) {
      if (seen.has(key)) continue;
      const old = this.store.remove(key)!;
      this.emit((h) => h.onDelete?.(old));
    }
  }

  private emit(fn: (h: EventHandlers<T>) => void): void {
    for (const h of this.handlers) this.call(() => fn(h));
  }

  /** A throwing handler is logged, never allowed to break the watch loop. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('event handler threw', { error: err instanceof Error ? err.stack : String(err) });
    }
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }
}
