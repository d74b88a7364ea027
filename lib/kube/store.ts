// Indexed object cache behind an informer: objects by `namespace/name`, a built-in namespace index and any number of
// custom indexes (index function: object -> values), with typed lookups for reconcilers.
import { objectKey, type KubeObject } from './types';

/** Maps an object to the index values it should be found under (e.g. owner UID, a label value). */
export type IndexFunc<T> = (obj: T) => string[];

/** Equality-based label selector, or a predicate over labels. */
export type LabelSelector = Record<string, string> | ((labels: Record<string, string>) => boolean);

export function matchesSelector(obj: KubeObject, selector?: LabelSelector): boolean {
  if (!selector) return true;
  const labels = obj.metadata?.labels ?? {};
  if (typeof selector === 'function') return selector(labels);
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const namespaceIndex = '__namespace';

/** Read-only view of a cache: what reconcilers use. */
export interface CacheReader<T extends KubeObject> {
  get(namespace: string, name: string): T | undefined;
  getByKey(key: string): T | undefined;
  /** Objects in `namespace` (all namespaces when undefined) matching `selector`. */
  list(namespace?: string, selector?: LabelSelector): T[];
  /** Objects whose index function returned `value` for index `index`. */
  byIndex(index: string, value: string): T[];
  size(): number;
}

export class Store<T extends KubeObject> implements CacheReader<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexFuncs: Map<string, IndexFunc<T>>;
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.indexFuncs = new Map([[namespaceIndex, (o: T) => [o.metadata?.namespace ?? '']], ...Object.entries(indexers)]);
    for (const name of this.indexFuncs.keys()) this.indexes.set(name, new Map());
  }

  /** Registers another index and builds it from the current contents. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexFuncs.has(name)) throw new Error(`index ${name} already exists`);
    this.indexFuncs.set(name, fn);
    this.indexes.set(name, new Map());
    for (const [key, obj] of this.objects) this.indexObject(name, fn, key, obj);
  }

  /** Inserts or replaces; returns the previous object. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (old) this.unindex(key, old);
    this.objects.set(key, obj);
    for (const [name, fn] of this.indexFuncs) this.indexObject(name, fn, key, obj);
    return old;
  }

  /** Removes by key; returns the removed object. */
  remove(key: string): T | undefined {
    const old = this.objects.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.objects.delete(key);
    return old;
  }

  keys(): IterableIterator<string> {
    return this.objects.keys();
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(namespace?: string, selector?: LabelSelector): T[] {
    const candidates = namespace === undefined ? [...this.objects.values()] : this.byIndex(namespaceIndex, namespace);
    return selector ? candidates.filter((o) => matchesSelector(o, selector)) : candidates;
  }

  byIndex(index: string, value: string): T[] {
    const byValue = this.indexes.get(index);
    if (!byValue) throw new Error(`unknown index ${index}`);
    const keys = byValue.get(value);
    return keys ? [...keys].map((k) => this.objects.get(k)!) : [];
  }

  size(): number {
    return this.objects.size;
  }

  private indexObject(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const byValue = this.indexes.get(name)!;
    for (const value of fn(obj)) {
      let keys = byValue.get(value);
      if (!keys) byValue.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexFuncs) {
      const byValue = this.indexes.get(name)!;
      for (const value of fn(obj)) {
        const keys = byValue.get(value);
        keys?.delete(key);
        if (keys?.size === 0) byValue.delete(value);
      }
    }
  }
}
