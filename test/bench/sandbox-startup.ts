// Bench: Sandbox create -> Ready latency (p50/p99 over 200 sandboxes), controller API requests per sandbox, and the
// controller's RSS with 1,000 sandboxes. Runs against the local plane (`npm run cluster:up`) with the controller as a
// separate compiled process authenticated as its ServiceAccount.
// Usage: npm run bench:sandbox [-- --count 200 --total 1000 --concurrency 20 --no-build]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { CONDITION } from '../../lib/api/conditions';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Sandbox } from '../../lib/api/types';
import { KubeClient } from '../../lib/kube/client';
import { isNotFound } from '../../lib/kube/errors';
import { Resources, type ResourceType } from '../../lib/kube/resources';
import { installController } from '../cluster/controller/install';
import { ControllerProcess, sumMetric } from '../cluster/controller/process';
import { sandboxManifest } from '../cluster/controller/fixtures';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Non-watch, non-list requests the controller sent (its reconcile cost). */
async function writesAndGets(ctrl: ControllerProcess): Promise<number> {
  const text = await ctrl.metricsText();
  return ['get', 'create', 'update', 'patch', 'delete'].reduce((n, verb) => n + sumMetric(text, 'rest_client_requests_total', { verb }), 0);
}

async function main(): Promise<void> {
  const count = arg('count', 200);
  const total = arg('total', 1000);
  const concurrency = arg('concurrency', 20);
  process.env.ASK_KUBECONFIG ??= resolve('.cluster/kubeconfig');
  const kubeconfig = process.env.ASK_KUBECONFIG;
  if (!process.argv.includes('--no-build')) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  const admin = await KubeClient.create({ kubeconfig });
  const id = randomBytes(3).toString('hex');
  const ns = `bench-sbx-${id}`;
  const system = `bench-sbx-system-${id}`;
  for (const name of [ns, system]) await admin.create(Resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  while (!(await admin.getOrUndefined(Resources.serviceAccounts, ns, 'default'))) await sleep(100);
  const identity = await installController(system);
  const ctrl = await ControllerProcess.start({ kubeconfig: identity.kubeconfig, compiled: true, args: ['--leader-elect=false'] });

  const createdAt = new Map<string, number>();
  const readyAt = new Map<string, number>();
  const podCreatedAt = new Map<string, number>();
  const podReadyAt = new Map<string, number>();
  const stopWatch = new AbortController();
  /** Records, per object name, when `isDone` first held (and when the object first appeared). */
  async function track<T extends Pod | Sandbox>(type: ResourceType, seen: Map<string, number> | undefined, done: Map<string, number>, isDone: (obj: T) => boolean): Promise<void> {
    let resourceVersion = (await admin.list(type, { namespace: ns })).metadata.resourceVersion;
    while (!stopWatch.signal.aborted) {
      await admin.watch<T>(type, { namespace: ns, resourceVersion, signal: stopWatch.signal }, (ev) => {
        resourceVersion = ev.object.metadata?.resourceVersion;
        const name = ev.object.metadata?.name ?? '';
        if (seen && !seen.has(name)) seen.set(name, performance.now());
        if (!done.has(name) && isDone(ev.object)) done.set(name, performance.now());
      }).catch((err) => { if (!stopWatch.signal.aborted) console.error('watch restart:', (err as Error).message); });
    }
  }
  const isReady = (obj: Pod | Sandbox) => (obj.status?.conditions ?? []).some((c) => c.type === CONDITION.ready && c.status === 'True');
  const watching = Promise.all([
    track<Sandbox>(Resources.sandboxes, undefined, readyAt, isReady),
    track<Pod>(Resources.pods, podCreatedAt, podReadyAt, isReady),
  ]);

  async function createBatch(names: string[]): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < names.length) {
        const name = names[next++];
        createdAt.set(name, performance.now());
        await admin.create(Resources.sandboxes, sandboxManifest(ns, name));
      }
    }));
  }
  async function waitAllReady(names: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (names.some((n) => !readyAt.has(n))) {
      if (Date.now() > deadline) throw new Error(`${names.filter((n) => !readyAt.has(n)).length} sandboxes not Ready after ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  try {
    const first = Array.from({ length: count }, (_, i) => `sb-${i}`);
    const requestsBefore = await writesAndGets(ctrl);
    const reconcilesBefore = await ctrl.metric('controller_runtime_reconcile_total', { controller: 'sandbox' });
    const started = performance.now();
    await createBatch(first);
    await waitAllReady(first, 300_000);
    const wall = performance.now() - started;
    await sleep(2000); // let trailing writes (e.g. nodeName riding along) land before counting
    const requests = (await writesAndGets(ctrl)) - requestsBefore;
    const reconciles = (await ctrl.metric('controller_runtime_reconcile_total', { controller: 'sandbox' })) - reconcilesBefore;
    const latencies = first.map((n) => readyAt.get(n)! - createdAt.get(n)!).sort((a, b) => a - b);
    const median = (from: Map<string, number>, to: Map<string, number>) =>
      Math.round(percentile(first.map((n) => to.get(n)! - from.get(n)!).sort((a, b) => a - b), 50));

    const rest = Array.from({ length: total - count }, (_, i) => `sb-${count + i}`);
    await createBatch(rest);
    await waitAllReady(rest, 900_000);
    await sleep(5000);
    const rss = ctrl.rssBytes();

    const result = {
      sandboxes: count, concurrency,
      readyP50Ms: Math.round(percentile(latencies, 50)), readyP99Ms: Math.round(percentile(latencies, 99)),
      readyMaxMs: Math.round(latencies[latencies.length - 1]), wallMs: Math.round(wall),
      // Where the time goes (medians): controller creates the Pod; scheduler + kwok make it Ready; controller reports it.
      createToPodP50Ms: median(createdAt, podCreatedAt), podToPodReadyP50Ms: median(podCreatedAt, podReadyAt),
      podReadyToSandboxReadyP50Ms: median(podReadyAt, readyAt),
      apiRequestsPerSandbox: +(requests / count).toFixed(2), reconcilesPerSandbox: +(reconciles / count).toFixed(2),
      totalSandboxes: total, controllerRssMiB: +(rss / 2 ** 20).toFixed(1),
      // The machine is shared: read latencies against the load they were measured under.
      loadAverage1m: +loadavg()[0].toFixed(1), cpus: cpus().length,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    stopWatch.abort();
    await watching;
    await ctrl.stop();
    await identity.uninstall();
    for (const name of [ns, system]) await admin.delete(Resources.namespaces, '', name).catch((err) => { if (!isNotFound(err)) throw err; });
    admin.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
