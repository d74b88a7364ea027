// Locates the control plane binaries installed by test/cluster/tools/install.sh (version-keyed cache),
// running the install script first when any is missing (a fresh machine builds them once).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const versionsFile = join(__dirname, '..', 'tools', 'versions.env');
const installScript = join(__dirname, '..', 'tools', 'install.sh');

/** Pinned versions from test/cluster/tools/versions.env (KUBE_VERSION, KWOK_VERSION, ETCD_VERSION). */
export function pinnedVersions(): { kube: string; kwok: string; etcd: string } {
  const vars = Object.fromEntries(
    readFileSync(versionsFile, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=', 2) as [string, string]),
  );
  return { kube: vars.KUBE_VERSION, kwok: vars.KWOK_VERSION, etcd: vars.ETCD_VERSION };
}

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
}

/** The version-keyed cache of built tools and images: $TOOLS_DIR, default ~/.cache/agent-sandbox-kit. */
export function toolsDir(): string {
  return process.env.TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'agent-sandbox-kit');
}

function binaryPaths(): ControlPlaneBinaries {
  const tools = toolsDir();
  const { kube, kwok, etcd } = pinnedVersions();
  const kubeDir = join(tools, `kube-${kube}`);
  return {
    etcd: process.env.ETCD_BIN ?? join(tools, `etcd-${etcd}`, 'etcd'),
    kubeApiserver: join(kubeDir, 'kube-apiserver'),
    kubeControllerManager: join(kubeDir, 'kube-controller-manager'),
    kubeScheduler: join(kubeDir, 'kube-scheduler'),
    kwok: join(tools, `kwok-${kwok}`, 'kwok'),
  };
}

const missingPaths = (bins: ControlPlaneBinaries) => Object.values(bins).filter((path) => !existsSync(path));

/** Paths of all binaries, installing them first if needed; throws naming any still missing. */
export function controlPlaneBinaries(): ControlPlaneBinaries {
  const bins = binaryPaths();
  if (missingPaths(bins).length > 0) {
    console.error(`control plane binaries missing; running ${installScript} (one-time build, about 15 minutes on 2 cores)`);
    execFileSync(installScript, { stdio: ['ignore', 2, 2] });
  }
  const missing = missingPaths(bins);
  if (missing.length > 0) throw new Error(`control plane binaries missing after ${installScript}: ${missing.join(', ')}`);
  return bins;
}
