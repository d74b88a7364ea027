// Scenario router-proxy: requests/s and p50/p99 added latency of the sandbox router versus calling the runtime
// directly, at concurrency 10 and 50 (router and runtime as separate processes; see ../router-bench.ts), with
// scoped-token auth and with tokenreview auth (TokenReview + per-sandbox SubjectAccessReview, decisions cached).
import { kubectl } from '../../cluster/harness';
import { grantSandboxAccess, installRouterIdentity } from '../../cluster/data-path/fixtures';
import type { Scenario, ResultRow } from '../scenario';
import { addedLatency, runRouterBench } from '../router-bench';

export const routerProxy: Scenario = {
  name: 'router-proxy',
  description: 'sandbox router vs direct runtime calls: req/s and p50/p99 added latency at concurrency 10 and 50, scoped-token and tokenreview auth',
  async run(ctx) {
    const namespace = await ctx.namespace('router-bench');
    await kubectl(['create', 'serviceaccount', 'caller', '--namespace', namespace]);
    await grantSandboxAccess(namespace, { name: 'bench', serviceAccounts: ['caller'], sandboxes: ['sandbox'] });
    const token = (await kubectl(['create', 'token', 'caller', '--namespace', namespace])).trim();
    const results = await runRouterBench({ tokenReview: { namespace, routerKubeconfig: await installRouterIdentity(), token } });
    const rows: ResultRow[] = [];
    for (const r of results) {
      const at = `c=${r.concurrency} ${r.target}${r.target === 'router' ? ` (${r.authz})` : ''}`;
      rows.push({ scenario: 'router-proxy', metric: `${at} requests/s`, value: r.rps, unit: 'req/s', details: { ...r } });
      if (r.target === 'router') {
        const added = addedLatency(results, r);
        rows.push({ scenario: 'router-proxy', metric: `${at} added latency p50`, value: added.p50ms, unit: 'ms' });
        rows.push({ scenario: 'router-proxy', metric: `${at} added latency p99`, value: added.p99ms, unit: 'ms' });
      }
    }
    ctx.log(`router-proxy: ${results.map((r) => `c=${r.concurrency} ${r.target}/${r.authz} ${r.rps} req/s p50 ${r.p50ms} ms (${r.errors} errors)`).join('; ')}`);
    return rows;
  },
};
