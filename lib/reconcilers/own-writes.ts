// Read-your-writes over an informer cache: the objects our own creates and patches returned are served instead of
// older cached copies until the watch delivers that version (or anything newer). A pass that starts from a lagging
// cache then neither repeats a create (AlreadyExists, then a GET) nor re-sends a patch it already sent.
import type { KubeObject } from '../kube/types';
import { objectKey, resourceVersionAtLeast } from '../kube/types';
import type { ObjectReader } from './sandbox-cache';

/** Forget a write the watch never confirmed after this long (e.g. created and deleted while the watch was down). */
const MAX_AGE_MS = 30_000;

export class OwnWrites<T extends KubeObject> implements ObjectReader<T> {
  private readonly mine = new Map<string, { obj: T; at: number }>();

  constructor(private readonly cache: ObjectReader<T>, private readonly now: () => number = Date.now) {}

  /** Remembers what a write of ours returned. */
  wrote(obj: T): void {
    this.mine.set(objectKey(obj), { obj, at: this.now() });
  }

  /** Watch event for `obj` (including deletes): a copy at least as new as ours retires ours. */
  observed(obj: T): void {
    this.fresher(objectKey(obj), obj);
  }

  get(namespace: string, name: string): T | undefined {
    const key = namespace ? `${namespace}/${name}` : name;
    return this.fresher(key, this.cache.get(namespace, name));
  }

  byIndex(index: string, value: string): T[] {
    return this.cache.byIndex(index, value).map((obj) => this.fresher(objectKey(obj), obj) ?? obj);
  }

  /** Objects still served from our writes (the cache has not caught up with them). */
  pending(): number {
    return this.mine.size;
  }

  private fresher(key: string, cached: T | undefined): T | undefined {
    const ours = this.mine.get(key);
    if (!ours) return cached;
    const confirmed = cached && resourceVersionAtLeast(cached.metadata?.resourceVersion, ours.obj.metadata?.resourceVersion);
    if (confirmed || this.now() - ours.at > MAX_AGE_MS) {
      this.mine.delete(key);
      return cached;
    }
    return ours.obj;
  }
}
