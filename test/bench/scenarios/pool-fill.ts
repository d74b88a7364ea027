// Warm pool fill: a new pool of 300 from 0 to 300 Ready members (pool created → status.readyReplicas = 300).
import { createTemplateAndPool, waitForPoolReady } from '../objects';
import type { BenchContext, ResultRow, Scenario } from '../scenario';

const REPLICAS = 300;

export const poolFill: Scenario = {
  name: 'pool-fill',
  description: `warm pool 0 → ${REPLICAS} Ready`,
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const namespace = await ctx.namespace('fill');
    const started = performance.now();
    await createTemplateAndPool(ctx.client, namespace, 'fill', REPLICAS);
    await waitForPoolReady(ctx.client, namespace, 'fill', REPLICAS);
    const seconds = (performance.now() - started) / 1000;
    return [
      { scenario: 'pool-fill', metric: `warm pool 0 → ${REPLICAS} Ready`, value: Number(seconds.toFixed(2)), unit: 's' },
      { scenario: 'pool-fill', metric: 'pool fill rate', value: Math.round(REPLICAS / seconds), unit: 'sandboxes/s' },
    ];
  },
};
