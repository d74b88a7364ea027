// Cold claim latency: claims against an empty pool (replicas 0) create their Sandbox from the template; measured
// serially and at 20 claims/s until a watching client sees Ready=True.
import { ClaimLatencyWatch, percentile } from '../claim-watch';
import { claim, createTemplateAndPool, paced } from '../objects';
import type { BenchContext, ResultRow, Scenario } from '../scenario';

export const coldClaims: Scenario = {
  name: 'cold-claims',
  description: 'cold claims (empty pool): 10 serial, 40 at 20/s',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const namespace = await ctx.namespace('cold');
    await createTemplateAndPool(ctx.client, namespace, 'cold', 0);
    const watch = await ClaimLatencyWatch.start(ctx.client, namespace);
    const rows: ResultRow[] = [];
    try {
      const serial = Array.from({ length: 10 }, (_, i) => `s-${i}`);
      for (const name of serial) {
        await watch.create(ctx.client, claim(namespace, name, 'cold'));
        await watch.waitReady([name]);
      }
      const burst = Array.from({ length: 40 }, (_, i) => `b-${i}`);
      await paced(burst.length, 20, (i) => watch.create(ctx.client, claim(namespace, burst[i], 'cold')));
      await watch.waitReady(burst);
      for (const [label, names] of [['serial', serial], ['20/s', burst]] as const) {
        const latencies = watch.latencies([...names]);
        for (const p of [50, 90, 99]) {
          rows.push({ scenario: 'cold-claims', metric: `cold claim latency ${label} p${p}`, value: Math.round(percentile(latencies, p)), unit: 'ms' });
        }
      }
    } finally {
      watch.stop();
    }
    return rows;
  },
};
