// Locates the control plane binaries installed by test/cluster/tools/install.sh (version-keyed cache).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const versionsFile = join(__dirname, '..', 'tools', 'versions.env');

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

/** Paths of all binaries; throws naming the missing ones and the command that installs them. */
export function controlPlaneBinaries(): ControlPlaneBinaries {
  const toolsDir = process.env.TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'agent-sandbox-kit');
  const { kube, kwok, etcd } = pinnedVersions();
  const kubeDir = join(toolsDir, `kube-${kube}`);
  const bins: ControlPlaneBinaries = {
    etcd: process.env.ETCD_BIN ?? join(toolsDir, `etcd-${etcd}`, 'etcd'),
    kubeApiserver: join(kubeDir, 'kube-apiserver'),
    kubeControllerManager: join(kubeDir, 'kube-controller-manager'),
    kubeScheduler: join(kubeDir, 'kube-scheduler'),
    kwok: join(toolsDir, `kwok-${kwok}`, 'kwok'),
  };
  const missing = Object.values(bins).filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`control plane binaries missing: ${missing.join(', ')}; run test/cluster/tools/install.sh`);
  }
  return bins;
}
