// Scenario sandbox-startup: Sandbox create -> Ready p50/p99 over 200 plain Sandboxes (with per-phase medians:
// controller creates the Pod, scheduler + kwok make it Ready, controller reports Ready), the controller's API writes
// per Sandbox (API server's counts), and the controller's RSS once 1,000 Sandboxes exist.
import type { Pod } from 'kubernetes-types/core/v1';
import { CONDITION } from '../../../lib/api/conditions';
import type { Sandbox } from '../../../lib/api/types';
import type { KubeClient } from '../../../lib/kube/client';
import { Resources, type ResourceType } from '../../../lib/kube/resources';
import { sandboxManifest } from '../../cluster/controller/fixtures';
import { diffWrites, totalWrites } from '../api-writes';
import { percentile } from '../claim-watch';
import type { ResultRow, Scenario } from '../scenario';

const MEASURED = Number(process.env.ASK_BENCH_SANDBOXES ?? 200);
const TOTAL = Number(process.env.ASK_BENCH_SANDBOXES_TOTAL ?? 1000);
const CONCURRENCY = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes the Sandbox controller causes: not the bench's own Sandbox creates, nor scheduler/kwok writes. Events are left
 * out because the scheduler's "Scheduled" events are indistinguishable in apiserver_request_total (this controller
 * only emits MultiplePods events, none in this workload).
 */
const isControllerWrite = (key: string) => /^(sandboxes(\/status)? PATCH|sandboxes DELETE|pods (POST|PATCH|DELETE)|services |persistentvolumeclaims )/.test(key);

/** When each object first appeared and first turned Ready, from one watch per kind. */
class ReadyTracker {
  readonly seen = new Map<string, number>();
  readonly ready = new Map<string, number>();
  private readonly abort = new AbortController();
  private readonly runs: Promise<void>[] = [];

  constructor(private readonly client: KubeClient, private readonly namespace: string) {}

  track(type: ResourceType): void {
    this.runs.push(this.follow(type, type === Resources.pods ? 'pod:' : ''));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.runs);
  }

  private async follow(type: ResourceType, prefix: string): Promise<void> {
    let resourceVersion = (await this.client.list(type, { namespace: this.namespace })).metadata.resourceVersion;
    while (!this.abort.signal.aborted) {
      await this.client.watch<Pod | Sandbox>(type, { namespace: this.namespace, resourceVersion, signal: this.abort.signal }, (ev) => {
        resourceVersion = ev.object.metadata?.resourceVersion;
        const key = prefix + (ev.object.metadata?.name ?? '');
        if (!this.seen.has(key)) this.seen.set(key, performance.now());
        const ready = (ev.object.status?.conditions ?? []).some((c) => c.type === CONDITION.ready && c.status === 'True');
        if (ready && !this.ready.has(key)) this.ready.set(key, performance.now());
      }).catch(() => sleep(200));
    }
  }
}

export const sandboxStartup: Scenario = {
  name: 'sandbox-startup',
  description: `Sandbox create -> Ready p50/p99 over ${MEASURED}, controller API writes per Sandbox, controller RSS at ${TOTAL} Sandboxes`,
  async run(ctx) {
    const ns = await ctx.namespace('sbx');
    const tracker = new ReadyTracker(ctx.client, ns);
    tracker.track(Resources.sandboxes);
    tracker.track(Resources.pods);
    const createdAt = new Map<string, number>();
    const create = async (names: string[]) => {
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < names.length) {
          const name = names[next++];
          createdAt.set(name, performance.now());
          await ctx.client.create(Resources.sandboxes, sandboxManifest(ns, name));
        }
      }));
    };
    const waitReady = async (names: string[], timeoutMs: number) => {
      for (const deadline = Date.now() + timeoutMs; names.some((n) => !tracker.ready.has(n)); await sleep(200)) {
        if (Date.now() > deadline) throw new Error(`sandbox-startup: ${names.filter((n) => !tracker.ready.has(n)).length} Sandboxes not Ready after ${timeoutMs} ms`);
      }
    };
    try {
      const measured = Array.from({ length: MEASURED }, (_, i) => `sb-${i}`);
      const before = await ctx.apiWrites();
      await create(measured);
      await waitReady(measured, 600_000);
      await sleep(2000); // trailing writes (e.g. nodeName riding along) land before counting
      const writes = diffWrites(before, await ctx.apiWrites());
      const latency = measured.map((n) => tracker.ready.get(n)! - createdAt.get(n)!);
      const phase = (from: (n: string) => number | undefined, to: (n: string) => number | undefined) =>
        Math.round(percentile(measured.map((n) => to(n)! - from(n)!), 50));
      const breakdown = {
        createToPodP50Ms: phase((n) => createdAt.get(n), (n) => tracker.seen.get(`pod:${n}`)),
        podToPodReadyP50Ms: phase((n) => tracker.seen.get(`pod:${n}`), (n) => tracker.ready.get(`pod:${n}`)),
        podReadyToSandboxReadyP50Ms: phase((n) => tracker.ready.get(`pod:${n}`), (n) => tracker.ready.get(n)),
      };
      const perSandbox = totalWrites(writes, isControllerWrite) / MEASURED;
      ctx.log(`sandbox-startup: p50 ${Math.round(percentile(latency, 50))} ms, ${perSandbox.toFixed(2)} controller writes/Sandbox, ${JSON.stringify(breakdown)}`);

      const rest = Array.from({ length: TOTAL - MEASURED }, (_, i) => `sb-${MEASURED + i}`);
      await create(rest);
      await waitReady(rest, 1_200_000);
      await sleep(5000);
      const rssMiB = ctx.controller.usage().rssBytes / 2 ** 20;
      const row = (metric: string, value: number, unit: string, details?: Record<string, unknown>): ResultRow =>
        ({ scenario: 'sandbox-startup', metric, value: Math.round(value * 100) / 100, unit, details });
      return [
        row(`create -> Ready p50 (${MEASURED} Sandboxes, ${CONCURRENCY} parallel creates)`, percentile(latency, 50), 'ms', breakdown),
        row(`create -> Ready p99 (${MEASURED} Sandboxes)`, percentile(latency, 99), 'ms'),
        row('controller API writes per Sandbox', perSandbox, 'writes', Object.fromEntries([...writes].filter(([k]) => isControllerWrite(k)))),
        row(`controller RSS with ${TOTAL} Sandboxes`, rssMiB, 'MiB'),
      ];
    } finally {
      await tracker.stop();
    }
  },
};
