// Write requests served by the API server, from its /metrics `apiserver_request_total` (verbs POST/PUT/PATCH/DELETE
// and APPLY), keyed `resource[/subresource] VERB`. Diff two snapshots to count a scenario's writes.
import { kubectl } from '../cluster/harness/kubectl';

export type WriteCounts = Map<string, number>;
const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY']);
/** Writes that are not caused by the workload (controller and control-plane heartbeats). */
const BACKGROUND_RESOURCES = new Set(['leases', 'tokenreviews', 'subjectaccessreviews', 'selfsubjectaccessreviews', 'nodes', 'nodes/status']);

export function parseWriteCounts(metricsText: string): WriteCounts {
  const counts: WriteCounts = new Map();
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!WRITE_VERBS.has(labels.verb)) continue;
    const resource = labels.subresource ? `${labels.resource}/${labels.subresource}` : labels.resource;
    if (BACKGROUND_RESOURCES.has(resource)) continue;
    const key = `${resource} ${labels.verb}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

export async function apiServerWrites(): Promise<WriteCounts> {
  return parseWriteCounts(await kubectl(['get', '--raw', '/metrics']));
}

/** after - before, dropping zero entries. */
export function diffWrites(before: WriteCounts, after: WriteCounts): WriteCounts {
  const out: WriteCounts = new Map();
  for (const [key, n] of after) {
    const d = n - (before.get(key) ?? 0);
    if (d > 0) out.set(key, d);
  }
  return out;
}

export function totalWrites(counts: WriteCounts, filter: (key: string) => boolean = () => true): number {
  let sum = 0;
  for (const [key, n] of counts) if (filter(key)) sum += n;
  return sum;
}
