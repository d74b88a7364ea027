// `npm run pulumi -- <pulumi arguments>`: the real Pulumi CLI on this repository's Pulumi.yaml, offline,
// against the cluster in KUBECONFIG, with state in .pulumi/ (a file backend) and the stack created on first
// use. For example: `KUBECONFIG=.cluster/kubeconfig npm run pulumi -- up -s dev`.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { pulumiEnv, requireToolchain, stackArgument } from './toolchain';

const repoRoot = resolve(__dirname, '../../..');

function main(args: string[]): number {
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig) throw new Error('KUBECONFIG is not set: point it at the cluster to deploy to (for the local plane: npm run cluster:up, then KUBECONFIG=.cluster/kubeconfig)');
  const absent = kubeconfig.split(delimiter).filter((file) => !existsSync(file));
  if (absent.length > 0) throw new Error(`KUBECONFIG names ${absent.join(', ')}, which does not exist: is the cluster up (npm run cluster:up)?`);
  const pulumi = join(requireToolchain(), 'pulumi');
  const env = pulumiEnv({
    kubeconfig,
    backendUrl: process.env.PULUMI_BACKEND_URL ?? `file://${repoRoot}`,
    home: process.env.PULUMI_HOME ?? join(repoRoot, '.pulumi', 'home'),
  });
  const run = (argv: string[]) => spawnSync(pulumi, argv, { cwd: repoRoot, env, stdio: 'inherit' }).status ?? 1;
  const stack = stackArgument(args);
  if (stack && args[0] !== 'stack') {
    const status = run(['stack', 'select', '--create', stack, '--non-interactive']);
    if (status !== 0) return status;
  }
  return run(args);
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
