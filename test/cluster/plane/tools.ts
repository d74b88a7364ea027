// Locates the control plane binaries installed by test/cluster/tools/install.sh (version-keyed cache),
// running the install script first when any is missing (a fresh machine builds them once).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const versionsFile = join(__dirname, '..', 'tools', 'versions.env');
const installScript = join(__dirname, '..', 'tools', 'install.sh');

/** Pinned versions from test/cluster/tools/versions.env. */
export function pinnedVersions(): { kube: string; kwok: string; etcd: string; containerd: string; gvisor: string; coredns: string } {
  const vars = Object.fromEntries(
    readFileSync(versionsFile, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=', 2) as [string, string]),
  );
  return {
    kube: vars.KUBE_VERSION, kwok: vars.KWOK_VERSION, etcd: vars.ETCD_VERSION,
    containerd: vars.CONTAINERD_VERSION, gvisor: vars.GVISOR_VERSION, coredns: vars.COREDNS_VERSION,
  };
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

export interface NodeBinaries {
  kubelet: string;
  kubeProxy: string;
  containerd: string;
  containerdShimRunc: string;
  ctr: string;
  runsc: string;
  containerdShimRunsc: string;
  coredns: string;
}

function nodeBinaryPaths(): NodeBinaries {
  const { kube, containerd, gvisor, coredns } = pinnedVersions();
  const dir = (name: string, version: string) => join(toolsDir(), `${name}-${version}`);
  return {
    kubelet: join(dir('kube', kube), 'kubelet'),
    kubeProxy: join(dir('kube', kube), 'kube-proxy'),
    containerd: join(dir('containerd', containerd), 'containerd'),
    containerdShimRunc: join(dir('containerd', containerd), 'containerd-shim-runc-v2'),
    ctr: join(dir('containerd', containerd), 'ctr'),
    runsc: join(dir('gvisor', gvisor), 'runsc'),
    containerdShimRunsc: join(dir('gvisor', gvisor), 'containerd-shim-runsc-v1'),
    coredns: join(dir('coredns', coredns), 'coredns'),
  };
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

const missingPaths = (bins: object) => Object.values(bins).filter((path: string) => !existsSync(path));

function installed<T extends object>(what: string, bins: T, args: string[], duration: string): T {
  if (missingPaths(bins).length > 0) {
    console.error(`${what} missing; running ${[installScript, ...args].join(' ')} (one-time build, ${duration} on 2 cores)`);
    execFileSync(installScript, args, { stdio: ['ignore', 2, 2] });
  }
  const missing = missingPaths(bins);
  if (missing.length > 0) throw new Error(`${what} missing after ${installScript}: ${missing.join(', ')}`);
  return bins;
}

/** Paths of all binaries, installing them first if needed; throws naming any still missing. */
export function controlPlaneBinaries(): ControlPlaneBinaries {
  return installed('control plane binaries', binaryPaths(), [], 'about 15 minutes');
}

/** Paths of the real node's binaries (kubelet, kube-proxy, containerd, gVisor, CoreDNS), installing them if needed. */
export function nodeBinaries(): NodeBinaries {
  return installed('real node binaries', nodeBinaryPaths(), ['--real-node'], 'about 10 minutes');
}
