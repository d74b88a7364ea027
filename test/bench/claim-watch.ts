// Claim latency as a client sees it: a watch on the namespace's claims records when each claim is first seen with
// Ready=True; `created` marks the moment just before the client sent the create.
import { ANNOTATION } from '../../lib/api/metadata-keys';
import type { SandboxClaim } from '../../lib/api/types';
import type { KubeClient } from '../../lib/kube/client';
import { Resources } from '../../lib/kube/resources';

export class ClaimLatencyWatch {
  private readonly createdAt = new Map<string, number>();
  private readonly readyAt = new Map<string, number>();
  /** Wall-clock (epoch ms) twins of createdAt/readyAt, comparable with the controller's timestamp annotations. */
  private readonly createdWall = new Map<string, number>();
  private readonly readyWall = new Map<string, number>();
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
      this.readyWall.set(name, Date.now());
      if (claim.status.sandbox?.name && claim.status.sandbox.name !== name) this.warm.add(name);
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Creates the claim, timing from just before the request. */
  async create(client: KubeClient, claim: SandboxClaim): Promise<void> {
    this.createdAt.set(claim.metadata.name!, performance.now());
    this.createdWall.set(claim.metadata.name!, Date.now());
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

  /**
   * Where each claim's time went, from the controller's first-observed/first-ready annotations on `claims`: created →
   * controller saw it, controller saw it → its Ready status write returned, that write → this watch saw Ready.
   */
  phases(claims: SandboxClaim[]): Record<'toController' | 'inController' | 'toClient', number[]> {
    const out = { toController: [] as number[], inController: [] as number[], toClient: [] as number[] };
    for (const claim of claims) {
      const name = claim.metadata.name!;
      const observed = Date.parse(claim.metadata.annotations?.[ANNOTATION.controllerFirstObservedAt] ?? '');
      const ready = Date.parse(claim.metadata.annotations?.[ANNOTATION.claimFirstReadyAt] ?? '');
      if (!this.createdWall.has(name) || !this.readyWall.has(name) || Number.isNaN(observed) || Number.isNaN(ready)) continue;
      out.toController.push(observed - this.createdWall.get(name)!);
      out.inController.push(ready - observed);
      out.toClient.push(this.readyWall.get(name)! - ready);
    }
    return out;
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
