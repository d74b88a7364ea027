// Puts the host back as the baseline recorded it, in an order that lets each component clean up after
// itself first: pods (kubelet removes their netns, veths and volume mounts), kubelet, kube-proxy, DNS,
// containerd, then what outlives them (shims, gVisor sandboxes, mounts, cgroups), the control plane, the
// bridge, sysctls, nftables tables and the host paths that upstream hardcodes. Every step is tried; the
// failures are reported together, each with the log to read.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { httpCall, TlsOptions } from '../http';
import { realNodeName } from './configs';
import { foreignPaths, HostState, captureHostState, mountPoints, nftTables, writeSysctl } from './host-state';
import { deleteBridge, nodeNetwork } from './network';
import type { NodeComponent } from './node';
import { sleep } from '../wait';

export interface RestoreOptions {
  planeDir: string;
  nodeDir: string;
  /** Absent when the node never started (nothing to restore beyond stopping what is recorded). */
  baseline: HostState | undefined;
  /** The API server, when it and the kubelet still run: pods are then deleted properly first. */
  plane: { server: string; adminTls: TlsOptions } | undefined;
  stopComponent: (name: NodeComponent) => Promise<void>;
  stopPlane: () => Promise<void>;
  log: (name: NodeComponent) => string;
}

/** cgroups kubelet (kubepods) and containerd (k8s.io, for containers outside pods) create at the top level. */
const nodeCgroups = ['kubepods', 'k8s.io'];
/** nftables tables the node creates: kube-proxy's and ours. */
const nodeTables = ['table ip kube-proxy', 'table ip6 kube-proxy', `table ${nodeNetwork.nftTable.family} ${nodeNetwork.nftTable.name}`];

async function deletePods(plane: { server: string; adminTls: TlsOptions }): Promise<void> {
  const tls = plane.adminTls;
  const nodeUrl = `${plane.server}/api/v1/nodes/${realNodeName}`;
  // Cordon first, so controllers' replacement pods do not land on the node while it drains.
  const node = await httpCall(nodeUrl, { tls });
  if (node.status === 200) {
    const object = JSON.parse(node.body);
    object.spec.unschedulable = true;
    await httpCall(nodeUrl, { method: 'PUT', body: object, tls });
  }
  const list = async () => {
    const res = await httpCall(`${plane.server}/api/v1/pods?fieldSelector=spec.nodeName%3D${realNodeName}`, { tls });
    if (res.status !== 200) throw new Error(`listing pods: HTTP ${res.status} ${res.body}`);
    return (JSON.parse(res.body).items as { metadata: { name: string; namespace: string } }[]).map((p) => p.metadata);
  };
  for (const pod of await list()) {
    await httpCall(`${plane.server}/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`,
      { method: 'DELETE', body: { gracePeriodSeconds: 1 }, tls });
  }
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(250)) {
    if ((await list()).length === 0) return;
  }
  throw new Error(`pods still on ${realNodeName} after 60s: ${(await list()).map((p) => `${p.namespace}/${p.name}`).join(', ')}`);
}

function cgroupDirs(baseline: HostState): string[] {
  const root = '/sys/fs/cgroup';
  return readdirSync(root).flatMap((hierarchy) => nodeCgroups
    .map((name) => `${hierarchy}/${name}`)
    .filter((relative) => !baseline.cgroups.includes(relative) && existsSync(join(root, relative)))
    .map((relative) => join(root, relative)));
}

/** Every directory under `dir` (itself included), deepest first. */
function subtreeDeepestFirst(dir: string): string[] {
  const children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  return [...children.flatMap(subtreeDeepestFirst), dir];
}

/** Pids in the node's cgroups and processes whose command line names the node's state directory. */
function leftoverPids(nodeDir: string, cgroups: string[]): number[] {
  const pids = new Set<number>();
  for (const dir of cgroups.flatMap(subtreeDeepestFirst)) {
    for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) pids.add(Number(pid));
  }
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`${nodeDir}/`)) pids.add(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  pids.delete(process.pid);
  pids.delete(process.ppid);
  return [...pids];
}

async function killLeftovers(nodeDir: string, cgroups: string[]): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = leftoverPids(nodeDir, cgroups);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    await sleep(100);
  }
  throw new Error(`processes still running: ${leftoverPids(nodeDir, cgroups).join(', ')}`);
}

/** Mounts under the node's directory and new mounts under the hardcoded host paths, deepest first. */
function nodeMounts(nodeDir: string, baseline: HostState | undefined): string[] {
  const ours = (target: string) => target === nodeDir || target.startsWith(`${nodeDir}/`) ||
    (baseline !== undefined && !baseline.mounts.includes(target) && foreignPaths.some((p) => target === p || target.startsWith(`${p}/`)));
  return [...new Set(mountPoints().filter(ours))].sort((a, b) => b.length - a.length);
}

function unmountAll(nodeDir: string, baseline: HostState | undefined): void {
  for (let round = 0; round < 3; round++) {
    for (const target of nodeMounts(nodeDir, baseline)) {
      try {
        execFileSync('umount', [target], { stdio: 'ignore' });
      } catch {
        try {
          execFileSync('umount', ['-l', target], { stdio: 'ignore' });
        } catch {
          // reported below if it stays
        }
      }
    }
  }
  const left = nodeMounts(nodeDir, baseline);
  if (left.length > 0) throw new Error(`still mounted: ${left.join(', ')}`);
}

function removeCgroups(baseline: HostState): void {
  for (const dir of cgroupDirs(baseline).flatMap(subtreeDeepestFirst)) rmdirSync(dir);
}

function restoreSysctls(baseline: HostState): void {
  const now = captureHostState().sysctls;
  for (const [key, value] of Object.entries(baseline.sysctls)) if (now[key] !== value) writeSysctl(key, value);
}

/** Deletes the node's tables, then empty ones iptables-nft created since the baseline. */
function deleteTables(baseline: HostState): void {
  const current = nftTables();
  for (const table of current.filter((t) => nodeTables.includes(t) && !baseline.nftTables.includes(t))) {
    execFileSync('nft', ['delete', ...table.split(' ')], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  for (const table of nftTables().filter((t) => !baseline.nftTables.includes(t))) {
    const listing = execFileSync('nft', ['list', ...table.split(' ')], { encoding: 'utf8' });
    const rules = listing.split('\n').map((l) => l.trim()).filter((l) => l && !/^(table|chain|type|policy|})/.test(l) && !l.startsWith('}'));
    if (rules.length === 0) execFileSync('nft', ['delete', ...table.split(' ')], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

function removeHostPaths(baseline: HostState): void {
  const added = captureHostState().hostPaths.filter((path) => !baseline.hostPaths.includes(path));
  // Children first, so a kept parent (e.g. /run/containerd from the baseline) only loses what we added.
  for (const path of added.sort((a, b) => b.length - a.length)) rmSync(path, { recursive: true, force: true });
}

export async function restoreHost(options: RestoreOptions): Promise<void> {
  const { nodeDir, baseline, plane, log } = options;
  const failures: string[] = [];
  const attempt = async (name: string, logFile: string, body: () => unknown) => {
    try {
      await body();
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.trim()} (see ${logFile})`);
    }
  };
  const planeLog = join(options.planeDir, 'kube-apiserver.log');

  if (plane) await attempt('delete pods on the node', log('kubelet'), () => deletePods(plane));
  for (const name of ['local-volumes', 'kubelet', 'kube-proxy', 'coredns', 'containerd'] as const) {
    await attempt(`stop ${name}`, log(name), () => options.stopComponent(name));
  }
  const cgroups = baseline ? cgroupDirs(baseline) : [];
  await attempt('kill leftover shims and sandboxes', log('containerd'), () => killLeftovers(nodeDir, cgroups));
  await attempt('unmount', log('containerd'), () => unmountAll(nodeDir, baseline));
  if (baseline) await attempt('remove cgroups', log('kubelet'), () => removeCgroups(baseline));
  await attempt('stop the control plane', planeLog, options.stopPlane);
  if (baseline) {
    await attempt(`delete bridge ${nodeNetwork.bridge}`, log('containerd'), deleteBridge);
    await attempt('restore sysctls', log('kubelet'), () => restoreSysctls(baseline));
    await attempt('delete nftables tables', log('kube-proxy'), () => deleteTables(baseline));
    await attempt('remove host paths', log('kubelet'), () => removeHostPaths(baseline));
  }
  // Only once nothing is mounted below it: a recursive delete must never walk into a bind mount.
  if (nodeMounts(nodeDir, baseline).length === 0) rmSync(nodeDir, { recursive: true, force: true });
  if (failures.length > 0) throw new Error(`real node teardown incomplete:\n  ${failures.join('\n  ')}`);
}
