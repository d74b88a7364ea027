// Claim latency as a client sees it: a watch on the namespace's claims records when each claim is first seen with
// Ready=True; `created` marks the moment just before the client sent the create.
import type { SandboxClaim } from '../../lib/api/types';
import type { KubeClient } from '../../lib/kube/client';
import { Resources } from '../../lib/kube/resources';

export class ClaimLatencyWatch {
  private readonly createdAt = new Map<string, number>();
  private readonly readyAt = new Map<string, number>();
  /** Claims that were bound to a sandbox not named like the claim (a warm pool member). */
  private readonly warm = new Set<string>();
  private readonly waiters: (() => void)[] = [];
  private readonly abort = new AbortController();

  private constructor() {}

  static async start(client: KubeClient, namespace: string): Promise<ClaimLatencyWatch> {
    const watch = new ClaimLatencyWatch();
    let resourceVersion = await watch.relist(client, namespace);
    void (async () => {
      // A watch can end (server timeout, connection reset): relist and resume so no Ready transition is lost.
      while (!watch.abort.signal.aborted) {
        try {
          await client.watch<SandboxClaim>(Resources.sandboxClaims, { namespace, resourceVersion, signal: watch.abort.signal }, (event) => {
            resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
            watch.observe(event.object);
          });
        } catch {
          if (!watch.abort.signal.aborted) resourceVersion = await watch.relist(client, namespace).catch(() => resourceVersion);
        }
      }
    })();
    return watch;
  }

  private async relist(client: KubeClient, namespace: string): Promise<string> {
    const list = await client.list<SandboxClaim>(Resources.sandboxClaims, { namespace });
    for (const claim of list.items) this.observe(claim);
    return list.metadata.resourceVersion ?? '';
  }

  private observe(claim: SandboxClaim): void {
    const name = claim.metadata.name!;
    if (this.readyAt.has(name) || !this.createdAt.has(name)) return;
    if (claim.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
      this.readyAt.set(name, performance.now());
      if (claim.status.sandbox?.name && claim.status.sandbox.name !== name) this.warm.add(name);
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Creates the claim, timing from just before the request. */
  async create(client: KubeClient, claim: SandboxClaim): Promise<void> {
    this.createdAt.set(claim.metadata.name!, performance.now());
    await client.create(Resources.sandboxClaims, claim);
  }

  /** Resolves when every named claim was seen Ready (rejects after `timeoutMs`). */
  async waitReady(names: string[], timeoutMs = 300_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (names.some((n) => !this.readyAt.has(n))) {
      if (performance.now() > deadline) throw new Error(`${names.filter((n) => !this.readyAt.has(n)).length} claims not Ready after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  /** created → Ready latencies (ms) of the named claims. */
  latencies(names: string[]): number[] {
    return names.map((n) => this.readyAt.get(n)! - this.createdAt.get(n)!);
  }

  /** How many of the named claims got a warm sandbox. */
  warmCount(names: string[]): number {
    return names.filter((n) => this.warm.has(n)).length;
  }

  stop(): void {
    this.abort.abort();
  }
}

/** p-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
