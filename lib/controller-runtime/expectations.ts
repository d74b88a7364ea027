// Expectations keyed by owner (a pool, a claim, …): what this process's own writes mean for a cache that has not
// shown them yet, so a pass that starts from a lagging cache never acts twice. An owner can have:
// - creations counted before they are issued and deletions tracked by UID, until the watch delivers them (the guard
//   that stops a pool from acting twice on the same deficit, upstream #1215: ~10x over-creation);
// - an issued object: what a write made for the owner returned, served until the cache shows that object;
// - an outcome unknown: a write that may or may not have happened (5xx, reset), to be resolved with a live read;
// - reservations: objects an in-flight operation of the owner holds, so two workers never race for one.
// Nothing waits forever on a watch event: after `timeoutMs` a creation/deletion record or a reservation lapses, and an
// issued object still unseen becomes an unknown outcome (checked live, never trusted or dropped blindly). Objects are
// matched by namespace/name and UID; resourceVersions are never compared.
import { objectKey, type KubeObject } from '../kube/types';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

/** A write whose outcome is unknown: the object it addressed. */
export interface UnknownOutcome {
  namespace: string;
  name: string;
}

interface OwnerRecord<T> {
  creations: number;
  deletions: Set<string>;
  /** When creations/deletions were last armed; their timeout counts from here. */
  armedAt: number;
  issued?: { obj: T; at: number };
  unknown?: UnknownOutcome;
}

export class Expectations<T extends KubeObject = KubeObject> {
  private readonly owners = new Map<string, OwnerRecord<T>>();
  /** `namespace/name` of a reserved object -> the owner whose operation holds it. */
  private readonly reservations = new Map<string, { owner: string; at: number }>();

  constructor(private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS, private readonly now: () => number = Date.now) {}

  /** No creation or deletion outstanding for `owner` (or what is outstanding has timed out). */
  satisfied(owner: string, now = this.now()): boolean {
    const r = this.owners.get(owner);
    if (!r || (r.creations <= 0 && r.deletions.size === 0)) return true;
    return now - r.armedAt > this.timeoutMs;
  }

  /**
   * Atomically: if satisfied, records `n` pending creations and returns true; otherwise returns false and records
   * nothing. Pending deletions from a timed-out record are dropped with it.
   */
  tryExpectCreations(owner: string, n: number): boolean {
    const now = this.now();
    if (!this.satisfied(owner, now)) return false;
    Object.assign(this.record(owner), { creations: n, deletions: new Set(), armedAt: now });
    return true;
  }

  /** A create was observed in the cache (or will never happen): one fewer pending. */
  creationObserved(owner: string, count = 1): void {
    const r = this.owners.get(owner);
    if (r) r.creations = Math.max(0, r.creations - count);
  }

  /** Records a pending deletion; call before issuing the DELETE. */
  expectDeletion(owner: string, uid: string): void {
    const now = this.now();
    const r = this.record(owner);
    if (this.satisfied(owner, now)) Object.assign(r, { creations: 0, deletions: new Set() });
    r.deletions.add(uid);
    r.armedAt = now;
  }

  /** The object with `uid` is gone (or the DELETE failed and will not happen). */
  deletionObserved(owner: string, uid: string): void {
    this.owners.get(owner)?.deletions.delete(uid);
  }

  isDeletionPending(owner: string, uid: string): boolean {
    const r = this.owners.get(owner);
    return r !== undefined && r.deletions.has(uid) && this.now() - r.armedAt <= this.timeoutMs;
  }

  /** Outstanding creations and deletions (for logs and tests). */
  pending(owner: string): { creations: number; deletions: number } {
    const r = this.owners.get(owner);
    return { creations: r?.creations ?? 0, deletions: r?.deletions.size ?? 0 };
  }

  /** A write for `owner` returned `obj`: serve it until the cache shows it. Resolves an unknown outcome. */
  expectObject(owner: string, obj: T, now = this.now()): void {
    const r = this.record(owner);
    r.issued = { obj, at: now };
    r.unknown = undefined;
  }

  /**
   * The object issued for `owner` that the cache has not shown yet. One unseen for longer than the timeout is not
   * served any more: it becomes an unknown outcome, so the caller checks it live.
   */
  expectedObject(owner: string, now = this.now()): T | undefined {
    const r = this.owners.get(owner);
    if (!r?.issued) return undefined;
    if (now - r.issued.at <= this.timeoutMs) return r.issued.obj;
    const { namespace = '', name = '' } = r.issued.obj.metadata ?? {};
    r.unknown = { namespace, name };
    r.issued = undefined;
    return undefined;
  }

  /** Cache event: `obj` is shown under `owner` (or deleted), so the issued copy of it is no longer needed. */
  objectObserved(owner: string, obj: T): void {
    const issued = this.owners.get(owner)?.issued?.obj;
    if (issued && objectKey(issued) === objectKey(obj)) {
      this.owners.get(owner)!.issued = undefined;
      this.dropIfEmpty(owner);
    }
  }

  /** A write for `owner` to `namespace/name` may or may not have happened. */
  outcomeUnknown(owner: string, namespace: string, name: string): void {
    this.record(owner).unknown = { namespace, name };
  }

  unknownOutcome(owner: string): UnknownOutcome | undefined {
    return this.owners.get(owner)?.unknown;
  }

  /** The unknown outcome was resolved (by a live read). */
  outcomeResolved(owner: string): void {
    const r = this.owners.get(owner);
    if (r) r.unknown = undefined;
    this.dropIfEmpty(owner);
  }

  /**
   * Reserves the object at `key` (`namespace/name`) for an operation of `owner`, unless another reservation holds it.
   * Synchronous, so two workers never both get it. A reservation older than the timeout no longer holds.
   */
  tryReserve(owner: string, key: string, now = this.now()): boolean {
    const held = this.reservations.get(key);
    if (held && now - held.at <= this.timeoutMs) return false;
    this.reservations.set(key, { owner, at: now });
    return true;
  }

  /** The operation holding `key` failed, or the cache shows its outcome: another owner may reserve it. */
  release(key: string): void {
    this.reservations.delete(key);
  }

  /** Issued objects, unknown outcomes and reservations outstanding (for logs and tests). */
  outstanding(): { issued: number; unknown: number; reserved: number } {
    let issued = 0;
    let unknown = 0;
    for (const r of this.owners.values()) {
      if (r.issued) issued++;
      if (r.unknown) unknown++;
    }
    return { issued, unknown, reserved: this.reservations.size };
  }

  /** The owner is gone: drop everything recorded for it, its reservations included. */
  forget(owner: string): void {
    this.owners.delete(owner);
    for (const [key, held] of this.reservations) if (held.owner === owner) this.reservations.delete(key);
  }

  private record(owner: string): OwnerRecord<T> {
    let r = this.owners.get(owner);
    // armedAt only counts while creations or deletions are outstanding, and those set it.
    if (!r) this.owners.set(owner, (r = { creations: 0, deletions: new Set(), armedAt: 0 }));
    return r;
  }

  private dropIfEmpty(owner: string): void {
    const r = this.owners.get(owner);
    if (r && r.creations <= 0 && r.deletions.size === 0 && !r.issued && !r.unknown) this.owners.delete(owner);
  }
}
