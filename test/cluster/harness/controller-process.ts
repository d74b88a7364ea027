// Runs a controller as a separate OS process the way it runs in a cluster: authenticated as its ServiceAccount with
// exactly the RBAC that buildSystem() synthesizes (never as admin). Used by cluster tests and `npm run bench`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildSystem } from '../../../lib/builders';
import { CONTROLLER_NAME } from '../../../lib/builders/controller-deployment';
import { freePorts } from '../plane/ports';
import { adminKubeconfig } from './env';
import { installCrds } from './crds';
import { applyServerSide } from './kubectl';
import { serviceAccountKubeconfig } from './service-account';
import { waitFor } from './wait';

const repoRoot = resolve(__dirname, '..', '..', '..');
export const CONTROLLER_NAMESPACE = 'agent-sandbox-system';
const INSTALL_KINDS = new Set(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/**
 * Applies the CRDs, namespace, ServiceAccount and RBAC of the installation (not the Deployment: the controller runs
 * as a local process) and returns a kubeconfig authenticating as the controller's ServiceAccount.
 */
export async function installControllerIdentity(): Promise<string> {
  const objects = buildSystem({ namespace: CONTROLLER_NAMESPACE, flags: { extensions: true } }).filter((o) => INSTALL_KINDS.has(o.kind));
  await installCrds();
  await applyServerSide(objects as object[]);
  return serviceAccountKubeconfig(CONTROLLER_NAMESPACE, CONTROLLER_NAME, { durationSeconds: 6 * 3600 });
}

export interface ControllerProcess {
  readonly pid: number;
  /** http://127.0.0.1:<port>/metrics of our controller (undefined for a foreign --controller-cmd). */
  readonly metricsUrl?: string;
  readonly logFile: string;
  /** SIGTERM (graceful) and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL the whole process group, as a crash would. */
  kill(): Promise<void>;
  /** CPU seconds (user+system) and resident memory of the process and its descendants. */
  usage(): { cpuSeconds: number; rssBytes: number };
}

export interface StartControllerOptions {
  kubeconfig: string;
  /** Extra flags for our controller. */
  args?: string[];
  /** A foreign controller command line, run with `sh -c`; KUBECONFIG points at the ServiceAccount kubeconfig. */
  command?: string;
  /**
   * Leader election for our controller (Lease in the controller namespace). On by default so controllers started by
   * test files running in parallel never reconcile at the same time; the bench runs a single controller without it.
   * @default true
   */
  leaderElect?: boolean;
  /** @default .cluster/controller-<time>.log */
  logFile?: string;
}

/** Starts the controller and (for ours) waits until /readyz answers ok. */
export async function startController(options: StartControllerOptions): Promise<ControllerProcess> {
  const logFile = options.logFile ?? join(dirname(adminKubeconfig()), `controller-${Date.now()}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const out = openSync(logFile, 'a');
  const env = { ...process.env, KUBECONFIG: options.kubeconfig };
  let child: ChildProcess;
  let metricsUrl: string | undefined;
  let readyUrl: string | undefined;
  if (options.command) {
    child = spawn('sh', ['-c', `exec ${options.command}`], { cwd: repoRoot, env, stdio: ['ignore', out, out], detached: true });
  } else {
    const [metricsPort, probePort] = await freePorts(2);
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    readyUrl = `http://127.0.0.1:${probePort}/readyz`;
    child = spawn(process.execPath, [
      '--import', 'tsx', 'lib/controller/main.ts', '--kubeconfig', options.kubeconfig, '--extensions', `--leader-elect=${options.leaderElect ?? true}`, `--leader-election-namespace=${CONTROLLER_NAMESPACE}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`, `--health-probe-bind-address=127.0.0.1:${probePort}`, ...(options.args ?? []),
    ], { cwd: repoRoot, env, stdio: ['ignore', out, out], detached: true });
  }
  const pid = child.pid!;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let alive = true;
  void exited.then(() => { alive = false; });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  if (readyUrl) {
    await waitFor(`controller /readyz (log ${logFile})`, async () => {
      if (!alive) throw new Error(`controller exited; see ${logFile}`);
      const res = await fetch(readyUrl!).catch(() => undefined);
      return res?.ok ?? false;
    }, { timeoutMs: 60_000, intervalMs: 100 });
  }
  return {
    pid, metricsUrl, logFile,
    async stop() { signalGroup('SIGTERM'); await exited; },
    async kill() { signalGroup('SIGKILL'); await exited; },
    usage: () => processTreeUsage(pid),
  };
}

/** Sums /proc CPU time and RSS over `root` and its descendants. */
export function processTreeUsage(root: number): { cpuSeconds: number; rssBytes: number } {
  const ticksPerSecond = 100;
  const pageSize = 4096;
  const stats = new Map<number, { ppid: number; cpu: number; rss: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]), rss: Number(fields[21]) * pageSize });
    } catch {
      // process vanished
    }
  }
  let cpu = 0;
  let rss = 0;
  const pending = [root];
  while (pending.length) {
    const pid = pending.pop()!;
    const s = stats.get(pid);
    if (!s) continue;
    cpu += s.cpu;
    rss += s.rss;
    for (const [child, c] of stats) if (c.ppid === pid) pending.push(child);
  }
  return { cpuSeconds: cpu / ticksPerSecond, rssBytes: rss };
}
