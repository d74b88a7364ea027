// Runs lib/controller/main.ts as a separate process (single process: node --import tsx, so signals reach it directly)
// and exposes its JSON log lines for assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '../harness';

const root = join(__dirname, '../../..');

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export class ControllerProcess {
  readonly logs: LogLine[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(root, 'lib/controller/main.ts'),
      '--metrics-bind-address=127.0.0.1:0', '--health-probe-bind-address=127.0.0.1:0', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let pending = '';
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        try { this.logs.push(JSON.parse(line) as LogLine); } catch { this.logs.push({ level: 'raw', msg: line }); }
      }
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  logged(msg: string): LogLine | undefined {
    return this.logs.find((l) => l.msg === msg);
  }

  /** The leader-election identity this process uses (logged before its first attempt). */
  identity(): Promise<string> {
    return waitFor('controller leader-election identity', async () => this.logged('attempting to acquire leader lease')?.identity as string | undefined, { timeoutMs: 60_000 });
  }

  /** GET on the process's metrics or probe server (ports are picked at start and logged). */
  async http(server: 'metrics' | 'health probes', path: string): Promise<{ code: number; body: string }> {
    const port = await waitFor(`${server} port`, async () => this.logged(`serving ${server}`)?.port as number | undefined, { timeoutMs: 60_000 });
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { code: res.status, body: await res.text() };
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
