// A Pulumi project of this repository run through the real CLI for cluster tests: its Pulumi*.yaml copied
// into a throwaway directory (so `pulumi config set` never touches the committed files), the program and
// its dependencies linked back, its own file backend and PULUMI_HOME, the offline toolchain on PATH.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pulumiEnv, requireToolchain } from './toolchain';

const repoRoot = resolve(__dirname, '../../..');
// What the Node.js runtime needs next to Pulumi.yaml: the program, its tsconfig and its node_modules.
const LINKED = ['examples', 'lib', 'node_modules', 'package.json', 'tsconfig.json'];

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the run outlived its deadline and was interrupted: what it was still waiting for is in stdout. */
  readonly timedOut?: string;
  /** Wall-clock duration of the run. */
  readonly seconds: number;
}

export interface PulumiProject {
  readonly dir: string;
  /**
   * Runs `pulumi <args>` in the project directory; never rejects, the exit code is in the result. Past
   * `timeoutMs` the CLI gets SIGINT (it cancels, naming the steps it interrupted) and a minute later SIGKILL.
   */
  run(args: string[], options?: { timeoutMs?: number }): Promise<CliResult>;
  /** Every finished run: its command, duration and the 1-minute load average at its end (for the README's table). */
  readonly runs: { command: string; seconds: number; load: number }[];
  dispose(): void;
}

/** Default deadline of one CLI run: well below the provider's own 10-minute await, so a stuck wait fails here first. */
const RUN_TIMEOUT_MS = 5 * 60_000;

/** `files` are repository paths; the first is the project's Pulumi.yaml. */
export function pulumiProject(files: string[], kubeconfig: string): PulumiProject {
  const pulumi = join(requireToolchain(), 'pulumi');
  const root = mkdtempSync(join(tmpdir(), 'ask-pulumi-'));
  const dir = join(root, 'project');
  mkdirSync(dir);
  for (const file of files) copyFileSync(join(repoRoot, file), join(dir, basename(file)));
  for (const entry of LINKED) symlinkSync(join(repoRoot, entry), join(dir, entry));
  const env = pulumiEnv({ kubeconfig, backendUrl: `file://${root}`, home: join(root, 'home') });
  const runs: PulumiProject['runs'] = [];
  return {
    dir,
    runs,
    run: (args, { timeoutMs = RUN_TIMEOUT_MS } = {}) => new Promise((done) => {
      let timedOut: string | undefined;
      const started = performance.now();
      const child = execFile(pulumi, [...args, '--non-interactive'], { cwd: dir, env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
        clearTimeout(interrupt);
        clearTimeout(kill);
        const seconds = (performance.now() - started) / 1000;
        runs.push({ command: `pulumi ${args.join(' ')}`, seconds, load: loadavg()[0] });
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, seconds, ...(timedOut ? { timedOut } : {}) });
      });
      let kill: NodeJS.Timeout | undefined;
      const interrupt = setTimeout(() => {
        timedOut = `pulumi ${args.join(' ')} still running after ${timeoutMs / 1000}s: interrupted`;
        child.kill('SIGINT');
        kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
      }, timeoutMs);
    }),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
