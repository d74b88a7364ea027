// Create/delete expectations per pool: the guard that stops a pool from acting twice on the same deficit while its
// cache lags its own writes (upstream #1215: ~10x over-creation). Creations are counted before they are issued and
// counted down as the Sandbox watch delivers them (or at once when a create fails); deletions are tracked by UID until
// the watch shows the object gone. While anything is outstanding the pool neither creates nor deletes excess; after
// `timeoutMs` without progress the record is considered lost (a dropped watch event must not wedge a pool forever).

interface Record {
  creations: number;
  deletions: Set<string>;
  /** When the record was last armed; the timeout counts from here. */
  armedAt: number;
}

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

export class Expectations {
  private readonly records = new Map<string, Record>();

  constructor(private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS, private readonly now: () => number = Date.now) {}

  /** Nothing outstanding for `key` (or what is outstanding has timed out). */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r || (r.creations <= 0 && r.deletions.size === 0)) return true;
    return this.now() - r.armedAt > this.timeoutMs;
  }

  /**
   * Atomically: if satisfied, records `n` pending creations and returns true; otherwise returns false and records
   * nothing. Pending deletions from a timed-out record are dropped with it.
   */
  tryExpectCreations(key: string, n: number): boolean {
    if (!this.satisfied(key)) return false;
    this.records.set(key, { creations: n, deletions: new Set(), armedAt: this.now() });
    return true;
  }

  /** A create was observed in the cache (or will never happen): one fewer pending. */
  creationObserved(key: string, count = 1): void {
    const r = this.records.get(key);
    if (r) r.creations = Math.max(0, r.creations - count);
  }

  /** Records a pending deletion; call before issuing the DELETE. */
  expectDeletion(key: string, uid: string): void {
    let r = this.records.get(key);
    if (!r || this.satisfied(key)) {
      r = { creations: 0, deletions: new Set(), armedAt: this.now() };
      this.records.set(key, r);
    }
    r.deletions.add(uid);
    r.armedAt = this.now();
  }

  /** The object with `uid` is gone (or the DELETE failed and will not happen). */
  deletionObserved(key: string, uid: string): void {
    this.records.get(key)?.deletions.delete(uid);
  }

  isDeletionPending(key: string, uid: string): boolean {
    const r = this.records.get(key);
    return r !== undefined && r.deletions.has(uid) && this.now() - r.armedAt <= this.timeoutMs;
  }

  /** Outstanding creations and deletions (for logs and tests). */
  pending(key: string): { creations: number; deletions: number } {
    const r = this.records.get(key);
    return { creations: r?.creations ?? 0, deletions: r?.deletions.size ?? 0 };
  }

  forget(key: string): void {
    this.records.delete(key);
  }
}
