// Reads one metric out of a Prometheus text exposition (what a controller's /metrics serves) for assertions.

/** Sums the samples of metric `name` in Prometheus text format whose labels include `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const sample: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) sample[pair[1]] = pair[2];
    if (Object.entries(labels).every(([k, v]) => sample[k] === v)) total += Number(match[4]);
  }
  return total;
}
