// Claims waiting for a pool member (one is starting, or all are reserved by in-flight adoptions), keyed by pool, so a
// member's cache event wakes exactly those claims instead of them polling on a timer.

export class PoolWaiters {
  private readonly byPool = new Map<string, Set<string>>();

  /** `claimKey` wants to hear about members of `namespace/pool`. */
  wait(namespace: string, pool: string, claimKey: string): void {
    const key = `${namespace}/${pool}`;
    let set = this.byPool.get(key);
    if (!set) this.byPool.set(key, (set = new Set()));
    set.add(claimKey);
  }

  /** Removes and returns every claim waiting on `namespace/pool`. */
  wake(namespace: string, pool: string): string[] {
    const key = `${namespace}/${pool}`;
    const set = this.byPool.get(key);
    if (!set) return [];
    this.byPool.delete(key);
    return [...set];
  }

  size(): number {
    let n = 0;
    for (const set of this.byPool.values()) n += set.size;
    return n;
  }
}
