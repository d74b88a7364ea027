// Runs the controller as a separate OS process (as `npm run controller` would) for cluster tests: free
// loopback ports for /metrics and probes, wait for /readyz, scrape /metrics, stop it (SIGTERM) or kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ControllerProcessOptions {
  kubeconfig: string;
  /** Extra flags, e.g. ['--leader-elect=false']. */
  args?: string[];
}

export class ControllerProcess {
  static async start(options: ControllerProcessOptions): Promise<ControllerProcess> {
    const metricsPort = await freePort();
    const probePort = await freePort();
    const child = spawn(process.execPath, [
      '--import', 'tsx', 'lib/controller/main.ts', '--kubeconfig', options.kubeconfig,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`, `--health-probe-bind-address=127.0.0.1:${probePort}`,
      ...(options.args ?? []),
    ], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    const proc = new ControllerProcess(child, metricsPort, probePort);
    await proc.waitReady();
    return proc;
  }

  private stderr = '';
  private exited?: Promise<number | null>;

  private constructor(readonly child: ChildProcess, readonly metricsPort: number, readonly probePort: number) {
    child.stderr?.on('data', (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString()).slice(-200_000); });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** The last ~200 kB of the controller's JSON log lines. */
  logs(): string {
    return this.stderr;
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`controller exited with ${this.child.exitCode}:\n${this.stderr.slice(-4000)}`);
      const ok = await fetch(`http://127.0.0.1:${this.probePort}/readyz`).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`controller not ready after ${timeoutMs}ms:\n${this.stderr.slice(-4000)}`);
  }

  async metricsText(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    return res.text();
  }

  /** Sum of every sample of `name` whose labels include all of `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return sumMetric(await this.metricsText(), name, labels);
  }

  /** SIGTERM and wait for a graceful exit; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited!;
  }

  /** SIGKILL: the crash case (no Lease release, in-flight work abandoned). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

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
