// Scenario resume: a request through the router to a suspended sandbox, arrival to first byte (p50/p99 over 20
// resumes, one request each; then one resume with 50 concurrent requests), and the API writes one resume costs (the
// router's resume patch, the controller's Pod, status and Service work, the scheduler's binding, kwok's Pod status).
// The router runs in this process with its own identity and synthesized RBAC (TokenReview + SubjectAccessReview);
// the sandbox's runtime is started in this process on the pod IP when the pod appears, and the router's resolver
// sees the sandbox Ready only once it serves, as a readiness probe on the runtime port would make it in a cluster.
import type { Sandbox } from '../../../lib/api';
import { routerLifecycleRbac } from '../../../lib/builders/router';
import { KubeClient, Resources } from '../../../lib/kube';
import {
  DEFAULT_ROUTER_CONFIG, LifecycleRouterMetrics, NodeAddressCache, RouterMetrics, RouterServer, SandboxCache, SandboxWaker, TokenReviewAuthorizer,
  type SandboxResolver,
} from '../../../lib/router';
import { createRuntimeServer, DEFAULT_RUNTIME_CONFIG, type RuntimeServer } from '../../../lib/sandbox-runtime';
import { applyServerSide, kubectl, waitFor } from '../../cluster/harness';
import { sandboxManifest } from '../../cluster/controller/fixtures';
import { grantSandboxAccess, installRouterIdentity } from '../../cluster/data-path/fixtures';
import { freePorts } from '../../cluster/plane/ports';
import { diffWrites, totalWrites } from '../api-writes';
import type { ResultRow, Scenario } from '../scenario';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RESUMES = 20;
const CONCURRENT = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const resume: Scenario = {
  name: 'resume',
  description: `request to a suspended sandbox through the router → first byte: p50/p99 over ${RESUMES} resumes, one with ${CONCURRENT} concurrent requests, API writes per resume`,
  async run(ctx) {
    const namespace = await ctx.namespace('resume');
    await kubectl(['create', 'serviceaccount', 'caller', '--namespace', namespace]);
    await grantSandboxAccess(namespace, { name: 'bench', serviceAccounts: ['caller'], sandboxes: ['sb'] });
    await applyServerSide(routerLifecycleRbac(namespace) as object[]);
    const token = (await kubectl(['create', 'token', 'caller', '--namespace', namespace])).trim();
    const [port] = await freePorts(1);
    const baseDir = mkdtempSync(join(tmpdir(), 'bench-resume-'));

    // The pod's runtime, started on its IP as soon as the Sandbox reports one; the router waits for it.
    let runtime: { ip: string; server: RuntimeServer } | undefined;
    let serving = Promise.resolve();
    // One change at a time: watch events can arrive while the previous runtime is still starting or stopping.
    const serveAt = (ip: string | undefined) => { serving = serving.then(() => switchRuntime(ip)).catch((err: unknown) => ctx.log(`runtime on ${ip}: ${String(err)}`)); };
    const switchRuntime = async (ip: string | undefined) => {
      if (runtime?.ip === ip) return;
      await runtime?.server.close();
      runtime = undefined;
      if (!ip) return;
      const server = createRuntimeServer({ ...DEFAULT_RUNTIME_CONFIG, host: ip, port: port!, baseDir });
      await server.listen();
      runtime = { ip, server };
    };
    const watchAbort = new AbortController();
    const watching = (async () => {
      while (!watchAbort.signal.aborted) {
        await ctx.client.watch<Sandbox>(Resources.sandboxes, { namespace, fieldSelector: 'metadata.name=sb', signal: watchAbort.signal }, (event) => {
          if (event.type === 'ADDED' || event.type === 'MODIFIED') serveAt(event.object.status?.podIPs?.[0]);
        }).catch(() => undefined);
      }
    })();

    const kube = await KubeClient.create({ kubeconfig: await installRouterIdentity() });
    const cache = new SandboxCache(kube, { namespace });
    const nodes = new NodeAddressCache(kube);
    await Promise.all([cache.start(), nodes.start()]);
    const resolver: SandboxResolver = {
      lookup: (ns, name) => { const t = cache.lookup(ns, name); return t && runtime?.ip === t.podIPs[0] ? t : undefined; },
      ready: () => cache.ready(),
      refresh: (ns, name) => cache.refresh(ns, name),
    };
    const metrics = new RouterMetrics();
    const lifecycleMetrics = new LifecycleRouterMetrics(metrics);
    const router = new RouterServer({
      config: { ...DEFAULT_ROUTER_CONFIG, allowLoopbackPodIP: true, accessLog: false }, resolver, nodeAddresses: nodes, metrics,
      authorizer: new TokenReviewAuthorizer(kube, { metrics }),
      lifecycle: { metrics: lifecycleMetrics, waker: new SandboxWaker({ client: kube, resolver, holdMs: 30_000, metrics: lifecycleMetrics }) },
    });
    const url = `http://127.0.0.1:${await router.listen(0, '127.0.0.1')}/`;
    const headers = { 'x-sandbox-id': 'sb', 'x-sandbox-namespace': namespace, 'x-sandbox-port': String(port), authorization: `Bearer ${token}` };
    /** ms to the response head (fetch resolves on it), and its status. */
    const firstByte = async (): Promise<[number, number]> => {
      const started = performance.now();
      const res = await fetch(url, { headers }).catch((err: Error) => { throw new Error(`resume request failed after ${Math.round(performance.now() - started)} ms: ${String(err.cause ?? err)}`); });
      const ms = performance.now() - started;
      await res.arrayBuffer();
      return [ms, res.status];
    };
    const suspend = async () => {
      await ctx.client.mergePatch(Resources.sandboxes, namespace, 'sb', { spec: { operatingMode: 'Suspended' } });
      await waitFor('sandbox suspended', async () => (await ctx.client.get<Sandbox>(Resources.sandboxes, namespace, 'sb')).status?.conditions?.some((c) => c.type === 'Suspended' && c.status === 'True'), { timeoutMs: 60_000, intervalMs: 50 });
      await waitFor('router sees it gone', async () => cache.lookup(namespace, 'sb') === undefined, { timeoutMs: 10_000, intervalMs: 20 });
    };

    const latencies: number[] = [];
    const writes: number[] = [];
    let breakdown: Record<string, number> = {};
    let failures = 0;
    try {
      await ctx.client.create(Resources.sandboxes, sandboxManifest(namespace, 'sb'));
      await waitFor('sandbox routable', async () => resolver.lookup(namespace, 'sb') !== undefined, { timeoutMs: 60_000, intervalMs: 50 });
      for (let i = 0; i < RESUMES; i++) {
        await suspend();
        // Let the suspend's own writes (Pod delete, status) land before counting.
        await new Promise((r) => setTimeout(r, 1500));
        const before = await ctx.apiWrites();
        const [ms, status] = await firstByte();
        if (status !== 200) failures++;
        latencies.push(ms);
        await new Promise((r) => setTimeout(r, 1500));
        const diff = diffWrites(before, await ctx.apiWrites());
        writes.push(totalWrites(diff));
        breakdown = Object.fromEntries(diff);
      }
      await suspend();
      const burst = await Promise.all(Array.from({ length: CONCURRENT }, firstByte));
      failures += burst.filter(([, status]) => status !== 200).length;
      const burstLatencies = burst.map(([ms]) => ms).sort((a, b) => a - b);
      const resumes = (await lifecycleMetrics.resumes.get()).values.reduce((sum, v) => sum + v.value, 0);
      latencies.sort((a, b) => a - b);
      const round = (n: number) => Math.round(n);
      const meanWrites = writes.reduce((a, b) => a + b, 0) / writes.length;
      ctx.log(`resume: p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms, writes per resume ${writes.join(',')}, ${resumes} resumes for ${RESUMES + 1} suspensions, ${failures} failed requests; last resume's writes ${JSON.stringify(breakdown)}`);
      const rows: ResultRow[] = [
        { scenario: 'resume', metric: `request → first byte p50 (${RESUMES} resumes)`, value: round(percentile(latencies, 50)), unit: 'ms', details: { latencies } },
        { scenario: 'resume', metric: `request → first byte p99 (${RESUMES} resumes)`, value: round(percentile(latencies, 99)), unit: 'ms' },
        { scenario: 'resume', metric: `${CONCURRENT} concurrent requests → first byte p50`, value: round(percentile(burstLatencies, 50)), unit: 'ms' },
        { scenario: 'resume', metric: `${CONCURRENT} concurrent requests → first byte p99`, value: round(percentile(burstLatencies, 99)), unit: 'ms' },
        { scenario: 'resume', metric: 'API writes per resume (mean)', value: Number(meanWrites.toFixed(1)), unit: 'writes', details: { writes, last: breakdown } },
        { scenario: 'resume', metric: `resumes for ${RESUMES + 1} suspensions (${CONCURRENT} requests in the last)`, value: resumes, unit: 'resumes', target: `= ${RESUMES + 1}` },
        { scenario: 'resume', metric: 'failed requests', value: failures, unit: 'requests', target: '= 0' },
      ];
      return rows;
    } finally {
      watchAbort.abort();
      await watching;
      await router.close();
      cache.stop();
      nodes.stop();
      kube.close();
      await runtime?.server.close();
      rmSync(baseDir, { recursive: true, force: true });
    }
  },
};
