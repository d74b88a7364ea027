// Router bench core: requests/s and p50/p99 latency through the sandbox router versus calling the in-sandbox
// runtime directly (closed-loop keep-alive clients). Runtime and router run as separate processes; the load
// generator is the calling process. Used by `npm run bench` (scenario router-proxy).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mintScopedToken } from '../../lib/router';
import { freePorts } from '../cluster/plane/ports';

const repoRoot = resolve(__dirname, '..', '..');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function startChild(args: string[]): { child: ChildProcess; firstLine: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = new Promise<string>((resolveLine, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolveLine(out.split('\n', 1)[0]!);
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  return { child, firstLine };
}

export interface RouterBenchResult {
  target: 'direct' | 'router';
  /** How the router admitted requests (direct calls: none). */
  authz: 'none' | 'scoped-token' | 'tokenreview';
  concurrency: number;
  requests: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

/** Closed-loop load: `concurrency` workers, each sending the next request when the previous one finished. */
async function load(target: RouterBenchResult['target'], authz: RouterBenchResult['authz'], port: number, headers: Record<string, string>, path: string, concurrency: number, seconds: number): Promise<RouterBenchResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const one = () =>
    new Promise<void>((done) => {
      const started = process.hrtime.bigint();
      const req = http.get({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          else errors++;
          done();
        });
      });
      req.on('error', () => {
        errors++;
        done();
      });
    });
  const warmUntil = Date.now() + 1000;
  const worker = async (until: number) => {
    while (Date.now() < until) await one();
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker(warmUntil)));
  latencies.length = 0;
  errors = 0;
  const started = Date.now();
  const until = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, () => worker(until)));
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { target, authz, concurrency, requests: latencies.length, rps: Math.round(latencies.length / elapsed), p50ms: round(percentile(latencies, 50)), p99ms: round(percentile(latencies, 99)), errors };
}

export interface RouterBenchOptions {
  /** Measured seconds per run (after 1 s warm-up). @default 5 */
  seconds?: number;
  /** @default [10, 50] */
  concurrency?: number[];
  /** Runtime path requested. @default "/" */
  path?: string;
  /**
   * Also route with `tokenreview` auth: the router runs as `routerKubeconfig` and callers send `token`, which RBAC
   * must allow to proxy to sandbox `namespace`/sandbox. @default - scoped-token only
   */
  tokenReview?: { namespace: string; routerKubeconfig: string; token: string };
}

/** Runs direct and routed load at each concurrency level; returns one result per (level, target). */
export async function runRouterBench(options: RouterBenchOptions = {}): Promise<RouterBenchResult[]> {
  const { seconds = 5, concurrency: levels = [10, 50], path = '/' } = options;
  const [runtimePort] = await freePorts(1);
  const secret = randomBytes(32).toString('hex');
  const baseDir = mkdtempSync(join(tmpdir(), 'bench-runtime-'));
  const runtime = startChild(['lib/sandbox-runtime/main.ts', '--bind-address', '127.0.0.1', '--port', String(runtimePort), '--base-dir', baseDir]);
  const routers: Array<{ authz: RouterBenchResult['authz'] } & ReturnType<typeof startChild>> = [{ authz: 'scoped-token', ...startChild(['test/bench/router-target.ts', '127.0.0.1', String(runtimePort), secret]) }];
  const { tokenReview } = options;
  if (tokenReview) routers.push({ authz: 'tokenreview', ...startChild(['test/bench/router-target.ts', '127.0.0.1', String(runtimePort), secret, tokenReview.namespace, tokenReview.routerKubeconfig]) });
  try {
    await runtime.firstLine;
    const scopedToken = mintScopedToken(Buffer.from(secret), { namespace: 'bench', name: 'sandbox', ttlSeconds: 3600 });
    const routedAs = (authz: RouterBenchResult['authz']) => ({
      'x-sandbox-id': 'sandbox', 'x-sandbox-namespace': authz === 'tokenreview' ? tokenReview!.namespace : 'bench', 'x-sandbox-port': String(runtimePort),
      authorization: `Bearer ${authz === 'tokenreview' ? tokenReview!.token : scopedToken}`,
    });
    const results: RouterBenchResult[] = [];
    for (const concurrency of levels) {
      results.push(await load('direct', 'none', runtimePort!, {}, path, concurrency, seconds));
      for (const router of routers) results.push(await load('router', router.authz, Number(await router.firstLine), routedAs(router.authz), path, concurrency, seconds));
    }
    return results;
  } finally {
    runtime.child.kill('SIGTERM');
    for (const router of routers) router.child.kill('SIGTERM');
    rmSync(baseDir, { recursive: true, force: true });
  }
}

/** Router latency minus direct latency at the same concurrency (ms). */
export function addedLatency(results: readonly RouterBenchResult[], routed: RouterBenchResult): { p50ms: number; p99ms: number } {
  const direct = results.find((d) => d.target === 'direct' && d.concurrency === routed.concurrency)!;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { p50ms: round(routed.p50ms - direct.p50ms), p99ms: round(routed.p99ms - direct.p99ms) };
}
