// CPU time and resident memory of a process tree from /proc, for the controller columns of `npm run bench`.
import { readdirSync, readFileSync } from 'node:fs';

/** Sums /proc CPU time and RSS over `root` and its descendants. */
export function processTreeUsage(root: number): { cpuSeconds: number; rssBytes: number } {
  const ticksPerSecond = 100;
  const pageSize = 4096;
  const stats = new Map<number, { ppid: number; cpu: number; rss: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]), rss: Number(fields[21]) * pageSize });
    } catch {
      // process vanished
    }
  }
  let cpu = 0;
  let rss = 0;
  const pending = [root];
  while (pending.length) {
    const pid = pending.pop()!;
    const s = stats.get(pid);
    if (!s) continue;
    cpu += s.cpu;
    rss += s.rss;
    for (const [child, c] of stats) if (c.ppid === pid) pending.push(child);
  }
  return { cpuSeconds: cpu / ticksPerSecond, rssBytes: rss };
}
