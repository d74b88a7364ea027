// The offline Pulumi toolchain (CLI, Node.js language host, Kubernetes provider) built by
// test/cluster/tools/build-pulumi.sh, and the environment that keeps the CLI off the network: a file
// backend, a passphrase secrets provider, no update checks, no plugin downloads, plugins found on PATH.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const pulumiVersion: string = require('@pulumi/pulumi/package.json').version;

/**
 * Passphrase of the stacks' secrets provider when PULUMI_CONFIG_PASSPHRASE(_FILE) is not set (the first run
 * records its salt in Pulumi.<stack>.yaml). For local clusters only: real environments set their own.
 */
export const LOCAL_PASSPHRASE = 'agent-sandbox-kit-local';

const BINARIES = ['pulumi', 'pulumi-language-nodejs', 'pulumi-resource-kubernetes'];

/** Where build-pulumi.sh installs the toolchain matching the npm @pulumi/pulumi version. */
export function pulumiBinDir(): string {
  const tools = process.env.TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'agent-sandbox-kit');
  return join(tools, `pulumi-v${pulumiVersion}`, 'bin');
}

/** The toolchain's bin directory; throws one line naming what is missing and how to build it. */
export function requireToolchain(): string {
  const bin = pulumiBinDir();
  const missing = BINARIES.filter((name) => !existsSync(join(bin, name)));
  if (missing.length > 0) {
    throw new Error(`Pulumi toolchain incomplete in ${bin} (missing ${missing.join(', ')}): run test/cluster/tools/build-pulumi.sh`);
  }
  return bin;
}

export interface PulumiEnvOptions {
  /** Kubeconfig of the cluster the Kubernetes provider deploys to. */
  readonly kubeconfig: string;
  /** State backend, e.g. `file:///path/to/dir` (state lands in its `.pulumi/`). */
  readonly backendUrl: string;
  /** PULUMI_HOME: workspace settings and plugin cache. */
  readonly home: string;
}

/** The CLI's environment: `base` plus the offline settings (the caller's own passphrase wins). */
export function pulumiEnv(options: PulumiEnvOptions, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const ownPassphrase = base.PULUMI_CONFIG_PASSPHRASE !== undefined || base.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
  return {
    ...base,
    KUBECONFIG: options.kubeconfig,
    PULUMI_BACKEND_URL: options.backendUrl,
    PULUMI_HOME: options.home,
    ...(ownPassphrase ? {} : { PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE }),
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    // `npm run lint` type-checks the program; ts-node only transpiles it.
    PULUMI_NODEJS_TRANSPILE_ONLY: 'true',
    // The language host and the provider are found as ambient plugins.
    PATH: `${requireToolchain()}${delimiter}${base.PATH ?? ''}`,
  };
}

/** The stack named by `-s x`, `--stack x` or `--stack=x`, if any. */
export function stackArgument(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-s' || args[i] === '--stack') return args[i + 1];
    if (args[i].startsWith('--stack=')) return args[i].slice('--stack='.length);
  }
  return undefined;
}
