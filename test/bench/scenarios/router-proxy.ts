// Scenario router-proxy: requests/s and p50/p99 added latency of the sandbox router versus calling the runtime
// directly, at concurrency 10 and 50 (router and runtime as separate processes; see ../router-bench.ts).
import type { Scenario, ResultRow } from '../scenario';
import { addedLatency, runRouterBench } from '../router-bench';

export const routerProxy: Scenario = {
  name: 'router-proxy',
  description: 'sandbox router vs direct runtime calls: req/s and p50/p99 added latency at concurrency 10 and 50',
  async run(ctx) {
    const results = await runRouterBench();
    const rows: ResultRow[] = [];
    for (const r of results) {
      const at = `c=${r.concurrency} ${r.target}`;
      rows.push({ scenario: 'router-proxy', metric: `${at} requests/s`, value: r.rps, unit: 'req/s', details: { ...r } });
      if (r.target === 'router') {
        const added = addedLatency(results, r);
        rows.push({ scenario: 'router-proxy', metric: `c=${r.concurrency} added latency p50`, value: added.p50ms, unit: 'ms' });
        rows.push({ scenario: 'router-proxy', metric: `c=${r.concurrency} added latency p99`, value: added.p99ms, unit: 'ms' });
      }
    }
    ctx.log(`router-proxy: ${results.map((r) => `c=${r.concurrency} ${r.target} ${r.rps} req/s p50 ${r.p50ms} ms`).join('; ')}`);
    return rows;
  },
};
