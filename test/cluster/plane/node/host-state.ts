// A snapshot of the host state the real node can change (mounts, links, nftables/iptables, sysctls, cgroups,
// host paths outside its state directory), so that teardown can restore it and a test can prove it did.
// Taken once before the node creates anything, and again after teardown; `hostStateChanges` compares them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HostState {
  mounts: string[];
  links: string[];
  nftTables: string[];
  iptablesRules: string[];
  sysctls: Record<string, string>;
  cgroups: string[];
  hostPaths: string[];
}

/**
 * Sysctls a node component may write: kubelet's kernel tunables (it sets them unless
 * protectKernelDefaults), forwarding (the bridge plugin with isGateway), and what kube-proxy may touch.
 */
export const watchedSysctls = [
  'vm.overcommit_memory', 'vm.panic_on_oom', 'kernel.panic', 'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys', 'kernel.keys.root_maxbytes',
  'net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding', 'net.ipv4.conf.all.route_localnet', 'net.ipv6.conf.all.forwarding',
  'net.netfilter.nf_conntrack_max', 'net.netfilter.nf_conntrack_tcp_timeout_established',
  'net.netfilter.nf_conntrack_tcp_timeout_close_wait', 'net.netfilter.nf_conntrack_tcp_be_liberal',
  'net.bridge.bridge-nf-call-iptables',
];

const sysctlPath = (key: string) => join('/proc/sys', ...key.split('.'));

export function readSysctl(key: string): string | undefined {
  try {
    return readFileSync(sysctlPath(key), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function writeSysctl(key: string, value: string): void {
  writeFileSync(sysctlPath(key), value);
}

/**
 * Fixed paths outside the node's state directory that kubelet, libcni, gVisor's shim or runc create (each is
 * hardcoded upstream), and the containerd run directory whose children the
 * shims add.
 */
export const foreignPaths = [
  '/var/lib/kubelet', '/var/log/containers', '/var/log/pods', '/var/lib/cni', '/run/mount',
  '/run/containerd', '/run/netns', '/run/nri', '/run/runc', '/var/lib/containerd', '/etc/cni', '/opt/cni',
  '/opt/containerd', '/etc/containerd', '/usr/libexec/kubernetes',
];
const watchedDirs = ['/run/containerd', '/run/containerd/s', '/run/containerd/runc'];

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Mount points from /proc/self/mountinfo (octal escapes such as \040 decoded). */
export function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean)
    .map((line) => line.split(' ')[4].replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
}

export function nftTables(): string[] {
  return run('nft', ['list', 'tables']).split('\n').map((line) => line.trim()).filter(Boolean);
}

function iptablesRules(): string[] {
  return ['iptables-save', 'ip6tables-save'].flatMap((cmd) => run(cmd, []).split('\n')
    .filter((line) => line && !line.startsWith('#'))
    // Chain policies carry packet counters; only the chain and its policy matter.
    .map((line) => `${cmd}: ${line.replace(/ \[\d+:\d+\]$/, '')}`));
}

/** `<hierarchy>/<top-level cgroup>` for every cgroup v1 hierarchy (and the unified one). */
function cgroups(): string[] {
  const root = '/sys/fs/cgroup';
  return readdirSync(root).flatMap((hierarchy) => {
    try {
      return readdirSync(join(root, hierarchy), { withFileTypes: true })
        .filter((entry) => entry.isDirectory()).map((entry) => `${hierarchy}/${entry.name}`);
    } catch {
      return [];
    }
  });
}

function hostPaths(): string[] {
  const children = watchedDirs.filter((dir) => existsSync(dir)).flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)));
  return [...new Set([...foreignPaths.filter((path) => existsSync(path)), ...children])].sort();
}

export function captureHostState(): HostState {
  return {
    mounts: mountPoints(),
    links: readdirSync('/sys/class/net').sort(),
    nftTables: nftTables(),
    iptablesRules: iptablesRules(),
    sysctls: Object.fromEntries(watchedSysctls.flatMap((key) => {
      const value = readSysctl(key);
      return value === undefined ? [] : [[key, value]];
    })),
    cgroups: cgroups(),
    hostPaths: hostPaths(),
  };
}

/** What `now` has that `baseline` had not (and sysctls whose value differs); empty when the host is as it was. */
export function hostStateChanges(baseline: HostState, now: HostState): string[] {
  const added = (kind: string, before: string[], after: string[]) =>
    after.filter((item) => !before.includes(item)).map((item) => `${kind} added: ${item}`);
  return [
    ...added('mount', baseline.mounts, now.mounts),
    ...added('link', baseline.links, now.links),
    ...added('nft table', baseline.nftTables, now.nftTables),
    ...added('iptables rule', baseline.iptablesRules, now.iptablesRules),
    ...added('cgroup', baseline.cgroups, now.cgroups),
    ...added('host path', baseline.hostPaths, now.hostPaths),
    ...Object.entries(baseline.sysctls).filter(([key, value]) => now.sysctls[key] !== value)
      .map(([key, value]) => `sysctl ${key}: ${value} -> ${now.sysctls[key]}`),
  ];
}
