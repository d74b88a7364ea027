// Bench: the sandbox router versus calling the in-sandbox runtime directly, at concurrency 10 and 50 (no cluster
// needed: static one-sandbox table, scoped-token auth). Also part of `npm run bench` as scenario router-proxy.
// Usage: npm run bench:router [-- --seconds 5 --concurrency 10,50 --path / --json out.json]
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { addedLatency, runRouterBench } from './router-bench';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '5'));
  const path = arg('path', '/');
  const results = await runRouterBench({ seconds, path, concurrency: arg('concurrency', '10,50').split(',').map(Number) });
  console.log(`router bench: GET ${path}, ${seconds}s per run after 1s warm-up, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}, Node ${process.version}`);
  console.log('concurrency  target  req/s   p50 ms   p99 ms   errors   added p50 ms   added p99 ms');
  for (const r of results) {
    const added = r.target === 'router' ? addedLatency(results, r) : undefined;
    const addedText = added ? `${added.p50ms.toFixed(3).padStart(12)}   ${added.p99ms.toFixed(3).padStart(12)}` : '';
    console.log(`${String(r.concurrency).padStart(11)}  ${r.target.padEnd(6)}  ${String(r.rps).padStart(5)}  ${r.p50ms.toFixed(3).padStart(7)}  ${r.p99ms.toFixed(3).padStart(7)}  ${String(r.errors).padStart(7)}   ${addedText}`);
  }
  const jsonPath = arg('json', '');
  if (jsonPath) writeFileSync(jsonPath, JSON.stringify(results, null, 2));
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
