// Read-your-writes over an informer cache: the objects our own creates and patches returned are served instead of the
// cached copies until the watch has moved on — the cache shows our version, or a version that is neither the one it
// showed just before our first unconfirmed write nor one of our own earlier writes. A pass that starts from a lagging cache then neither repeats a create
// (AlreadyExists, then a GET) nor re-sends a patch it already sent. resourceVersions are opaque: only compared for
// equality, never ordered (so the cache's version is read before the write, not after: by then the watch may already
// have delivered ours and a newer one).
import type { CacheReader } from '../kube/store';
import { objectKey, type KubeObject } from '../kube/types';

/** Forget a write the watch never confirmed after this long (e.g. created and deleted while the watch was down). */
const MAX_AGE_MS = 30_000;

interface OwnWrite<T> {
  obj: T;
  /** Versions older than ours: the cached one just before our first unconfirmed write, and our earlier writes'. */
  older: Set<string | undefined>;
  at: number;
}

export class ReadYourWrites<T extends KubeObject> implements Pick<CacheReader<T>, 'get' | 'byIndex'> {
  private readonly mine = new Map<string, OwnWrite<T>>();
  /**
   * UIDs whose delete event has been seen, with when: the watch can deliver an object's creation and deletion
   * before our create's response arrives, and that response must then not be served as a live object.
   */
  private readonly deleted = new Map<string, number>();

  constructor(private readonly cache: Pick<CacheReader<T>, 'get' | 'byIndex'>, private readonly now: () => number = Date.now) {}

  /**
   * Sends a write of `namespace/name` (create, patch, or a GET that resolved one) and remembers what it returned.
   * `now`: the caller's clock reading for this pass.
   */
  async write(namespace: string, name: string, send: () => Promise<T>, now = this.now()): Promise<T> {
    const key = namespace ? `${namespace}/${name}` : name;
    const cached = this.cache.get(namespace, name);
    const unconfirmed = this.fresher(key, cached, now) !== cached ? this.mine.get(key) : undefined;
    const older = unconfirmed
      ? new Set([...unconfirmed.older, unconfirmed.obj.metadata?.resourceVersion])
      : new Set([cached?.metadata?.resourceVersion]);
    const obj = await send();
    const uid = obj.metadata?.uid;
    if (uid === undefined || !this.deleted.has(uid)) this.mine.set(objectKey(obj), { obj, older, at: now });
    return obj;
  }

  /** Delete event for `obj`: our copy of that object (same UID) is gone with it. */
  observed(obj: T): void {
    const key = objectKey(obj);
    if (this.mine.get(key)?.obj.metadata?.uid === obj.metadata?.uid) this.mine.delete(key);
    const now = this.now();
    // Oldest first (insertion order), so pruning stops at the first entry young enough to keep.
    for (const [uid, at] of this.deleted) {
      if (now - at <= MAX_AGE_MS) break;
      this.deleted.delete(uid);
    }
    if (obj.metadata?.uid) this.deleted.set(obj.metadata.uid, now);
  }

  /** `now`: the caller's clock reading for this pass, so one pass reads the clock once. */
  get(namespace: string, name: string, now = this.now()): T | undefined {
    const key = namespace ? `${namespace}/${name}` : name;
    return this.fresher(key, this.cache.get(namespace, name), now);
  }

  byIndex(index: string, value: string): T[] {
    return this.cache.byIndex(index, value).map((obj) => this.fresher(objectKey(obj), obj) ?? obj);
  }

  /** Objects still served from our writes (the cache has not caught up with them). */
  pending(): number {
    return this.mine.size;
  }

  private fresher(key: string, cached: T | undefined, now = this.now()): T | undefined {
    const ours = this.mine.get(key);
    if (!ours) return cached;
    const version = cached?.metadata?.resourceVersion;
    const caughtUp = cached !== undefined && (version === ours.obj.metadata?.resourceVersion || !ours.older.has(version));
    if (caughtUp || now - ours.at > MAX_AGE_MS) {
      this.mine.delete(key);
      return cached;
    }
    return ours.obj;
  }
}
