// Runs Pulumi programs fully offline for cluster tests: the CLI and provider built by
// test/cluster/tools/build-pulumi.sh, a file backend and PULUMI_HOME in a throwaway directory, no update
// checks and no plugin downloads. Programs run inline through the Automation API, which serves the Node.js
// language runtime from this process, so no pulumi-language-nodejs binary is needed.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalWorkspace, PulumiCommand, type PulumiFn, type Stack } from '@pulumi/pulumi/automation';
import { parse } from 'yaml';

const repoRoot = path.resolve(__dirname, '../../..');
const pulumiVersion: string = require('@pulumi/pulumi/package.json').version;

/** Where build-pulumi.sh installs the toolchain matching the npm @pulumi/pulumi version. */
export function pulumiToolsRoot(): string {
  const tools = process.env.TOOLS_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'agent-sandbox-kit');
  return path.join(tools, `pulumi-v${pulumiVersion}`);
}

export interface OfflineStackOptions {
  stackName: string;
  program: PulumiFn;
  /** Files copied from the repository root into the stack's private project directory (Pulumi.yaml and stack configs). */
  projectFiles?: string[];
  /** KUBECONFIG for the Kubernetes provider. */
  kubeconfig: string;
}

/** A stack in its own temporary project directory, state directory and PULUMI_HOME; `dispose` removes them all. */
export async function offlineStack(options: OfflineStackOptions): Promise<{ stack: Stack; dispose: () => void }> {
  const root = pulumiToolsRoot();
  const bin = path.join(root, 'bin');
  if (!fs.existsSync(path.join(bin, 'pulumi'))) {
    throw new Error(`Pulumi CLI not found in ${bin}: run test/cluster/tools/build-pulumi.sh`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ask-pulumi-${options.stackName}-`));
  const workDir = path.join(dir, 'project');
  fs.mkdirSync(workDir);
  fs.mkdirSync(path.join(dir, 'state'));
  for (const file of options.projectFiles ?? ['Pulumi.yaml', `Pulumi.${options.stackName}.yaml`]) {
    fs.copyFileSync(path.resolve(repoRoot, file), path.join(workDir, path.basename(file)));
  }
  const envVars = {
    PULUMI_BACKEND_URL: `file://${path.join(dir, 'state')}`,
    PULUMI_CONFIG_PASSPHRASE: 'offline-test-stack',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_SKIP_CONFIRMATIONS: 'true',
    PULUMI_HOME: path.join(dir, 'home'),
    KUBECONFIG: options.kubeconfig,
    // The CLI finds the provider and the policy-pack shim as ambient plugins on PATH.
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
  };
  const project = readProject(path.join(workDir, 'Pulumi.yaml'));
  // The CLI checks that the project's `main` exists; link its top folder back into the repository.
  if (project.main) {
    const top = project.main.split('/')[0];
    fs.symlinkSync(path.join(repoRoot, top), path.join(workDir, top));
  }
  const pulumiCommand = await PulumiCommand.get({ root });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: options.stackName, projectName: project.name, program: options.program },
    { workDir, envVars, pulumiCommand, pulumiHome: envVars.PULUMI_HOME },
  );
  return { stack, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function readProject(pulumiYaml: string): { name: string; main?: string } {
  const project = parse(fs.readFileSync(pulumiYaml, 'utf8')) as { name?: unknown; main?: unknown };
  if (typeof project?.name !== 'string') throw new Error(`${pulumiYaml}: no top-level name`);
  return { name: project.name, main: typeof project.main === 'string' ? project.main : undefined };
}
