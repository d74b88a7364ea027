// Warm claim latency (claim created → a watching client sees Ready=True) serially and at 20 and 75 claims/s against
// a Ready pool, and API writes per warm claim: all of them (the API server's request counters), and the claim's own
// (from the audit log: writes on the claim, its Sandbox and Pod, and the controller's events) apart from the pool
// refilling behind it.
import { diffWrites, totalWrites } from '../api-writes';
import { AuditLog, countByKind, isClaimPathWrite } from '../../cluster/harness/audit-log';
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

export const warmClaims: Scenario = {
  name: 'warm-claims',
  description: `warm claims against a Ready pool of ${POOL}: serial, 20/s and 75/s`,
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const namespace = await ctx.namespace('warm');
    await createTemplateAndPool(ctx.client, namespace, 'warm', POOL);
    await waitForPoolReady(ctx.client, namespace, 'warm', POOL);
    const watch = await ClaimLatencyWatch.start(ctx.client, namespace);
    const audit = new AuditLog();
    const rows: ResultRow[] = [];
    try {
      for (const phase of PHASES) {
        await waitForPoolReady(ctx.client, namespace, 'warm', POOL);
        const names = Array.from({ length: phase.count }, (_, i) => `${phase.label.replace('/', 'ps')}-${i}`.replace('serial', 's'));
        ctx.log(`warm claims ${phase.label}: ${phase.count} claims`);
        const before = await ctx.apiWrites();
        const auditMark = audit.mark();
        if (phase.perSecond === 0) {
          for (const name of names) {
            await watch.create(ctx.client, claim(namespace, name, 'warm'));
            await watch.waitReady([name]);
          }
        } else {
          await paced(phase.count, phase.perSecond, (i) => watch.create(ctx.client, claim(namespace, names[i], 'warm')));
          await watch.waitReady(names);
        }
        // Count everything the phase caused: follow-up writes (Pod label patches, events) and the whole refill, which
        // waits for the burst to end.
        await waitForPoolReady(ctx.client, namespace, 'warm', POOL);
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
        const claimNames = new Set(names);
        const bound = new Set(listed.items.filter((c) => claimNames.has(c.metadata.name!)).map((c) => c.status?.sandbox?.name ?? ''));
        const logged = audit.since(auditMark).filter((w) => w.namespace === namespace);
        const claimPath = logged.filter((w) => isClaimPathWrite(w, claimNames, bound));
        const refill = logged.filter((w) => !isClaimPathWrite(w, claimNames, bound));
        rows.push({
          scenario: 'warm-claims', metric: `API writes per warm claim ${phase.label} (claim path)`, value: round(claimPath.length / names.length, 2),
          unit: 'writes', target: '<= 5',
          details: { claims: names.length, warm, claimPath: countByKind(claimPath), poolRefill: countByKind(refill) },
        }, {
          scenario: 'warm-claims', metric: `API writes per warm claim ${phase.label} (with pool refill)`, value: round(totalWrites(writes) / names.length, 2),
          unit: 'writes', details: { source: 'apiserver_request_total', breakdown: Object.fromEntries(writes) },
        });
      }
    } finally {
      watch.stop();
    }
    return rows;
  },
};

const round = (n: number, digits = 1) => Number(n.toFixed(digits));
