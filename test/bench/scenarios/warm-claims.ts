// Warm claim latency (claim created → a watching client sees Ready=True) serially and at 20 and 75 claims/s against
// a Ready pool, and API write requests per warm claim from the API server's request counters.
import { diffWrites, totalWrites, type WriteCounts } from '../api-writes';
import { ClaimLatencyWatch, percentile } from '../claim-watch';
import { claim, createTemplateAndPool, paced, waitForPoolReady } from '../objects';
import type { SandboxClaim } from '../../../lib/api/types';
import { Resources } from '../../../lib/kube/resources';
import type { BenchContext, ResultRow, Scenario } from '../scenario';

const POOL = 160;
const PHASES = [
  { label: 'serial', count: 20, perSecond: 0 },
  { label: '20/s', count: 60, perSecond: 20 },
  { label: '75/s', count: 150, perSecond: 75 },
] as const;
/** Writes the claim itself causes (as opposed to the pool refilling behind it). */
const REFILL_KEYS = ['sandboxes POST', 'pods POST', 'pods/binding POST', 'pods/status PATCH', 'pods/status PUT', 'sandboxwarmpools/status PATCH'];

export const warmClaims: Scenario = {
  name: 'warm-claims',
  description: `warm claims against a Ready pool of ${POOL}: serial, 20/s and 75/s`,
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const namespace = await ctx.namespace('bench-warm');
    await createTemplateAndPool(ctx.client, namespace, 'warm', POOL);
    await waitForPoolReady(ctx.client, namespace, 'warm', POOL);
    const watch = await ClaimLatencyWatch.start(ctx.client, namespace);
    const rows: ResultRow[] = [];
    try {
      for (const phase of PHASES) {
        await waitForPoolReady(ctx.client, namespace, 'warm', POOL);
        const names = Array.from({ length: phase.count }, (_, i) => `${phase.label.replace('/', 'ps')}-${i}`.replace('serial', 's'));
        ctx.log(`warm claims ${phase.label}: ${phase.count} claims`);
        const before = await ctx.apiWrites();
        if (phase.perSecond === 0) {
          for (const name of names) {
            await watch.create(ctx.client, claim(namespace, name, 'warm'));
            await watch.waitReady([name]);
          }
        } else {
          await paced(phase.count, phase.perSecond, (i) => watch.create(ctx.client, claim(namespace, names[i], 'warm')));
          await watch.waitReady(names);
        }
        // let follow-up writes (pod label patches, events) land before counting
        await new Promise((r) => setTimeout(r, 1500));
        const writes = diffWrites(before, await ctx.apiWrites());
        const warm = watch.warmCount(names);
        const latencies = watch.latencies(names);
        const listed = await ctx.client.list<SandboxClaim>(Resources.sandboxClaims, { namespace });
        const phases = watch.phases(listed.items.filter((c) => names.includes(c.metadata.name!)));
        // Only with --controller-args --disable-claim-observability-annotations=false (the stamps cost a write each).
        if (phases.toController.length > 0) ctx.log(`  ${phase.label} p50/p99 ms: ${Object.entries(phases).map(([k, v]) => `${k} ${round(percentile(v, 50))}/${round(percentile(v, 99))}`).join(', ')}`);
        for (const p of [50, 90, 99]) {
          rows.push({
            scenario: 'warm-claims', metric: `warm claim latency ${phase.label} p${p}`, value: round(percentile(latencies, p)), unit: 'ms',
            target: phase.label === '75/s' && p === 99 ? '<= 100' : undefined,
          });
        }
        rows.push(writeRow(phase.label, writes, names.length, warm));
      }
    } finally {
      watch.stop();
    }
    return rows;
  },
};

function writeRow(label: string, writes: WriteCounts, claims: number, warm: number): ResultRow {
  const claimPath = totalWrites(writes, (k) => !REFILL_KEYS.includes(k));
  return {
    scenario: 'warm-claims', metric: `API writes per warm claim ${label} (claim path)`, value: round(claimPath / claims, 2), unit: 'writes',
    target: '<= 5',
    details: { claims, warm, totalWritesPerClaim: round(totalWrites(writes) / claims, 2), breakdown: Object.fromEntries(writes) },
  };
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));
