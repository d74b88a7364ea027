// A Pulumi project of this repository run through the real CLI for cluster tests: its Pulumi*.yaml copied
// into a throwaway directory (so `pulumi config set` never touches the committed files), the program and
// its dependencies linked back, its own file backend and PULUMI_HOME, the offline toolchain on PATH.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pulumiEnv, requireToolchain } from './toolchain';

const repoRoot = resolve(__dirname, '../../..');
// What the Node.js runtime needs next to Pulumi.yaml: the program, its tsconfig and its node_modules.
const LINKED = ['examples', 'lib', 'node_modules', 'package.json', 'tsconfig.json'];

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface PulumiProject {
  readonly dir: string;
  /** Runs `pulumi <args>` in the project directory; never rejects, the exit code is in the result. */
  run(args: string[]): Promise<CliResult>;
  dispose(): void;
}

/** `files` are repository paths; the first is the project's Pulumi.yaml. */
export function pulumiProject(files: string[], kubeconfig: string): PulumiProject {
  const pulumi = join(requireToolchain(), 'pulumi');
  const root = mkdtempSync(join(tmpdir(), 'ask-pulumi-'));
  const dir = join(root, 'project');
  mkdirSync(dir);
  for (const file of files) copyFileSync(join(repoRoot, file), join(dir, basename(file)));
  for (const entry of LINKED) symlinkSync(join(repoRoot, entry), join(dir, entry));
  const env = pulumiEnv({ kubeconfig, backendUrl: `file://${root}`, home: join(root, 'home') });
  return {
    dir,
    run: (args) => new Promise((done) => {
      execFile(pulumi, [...args, '--non-interactive'], { cwd: dir, env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    }),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
