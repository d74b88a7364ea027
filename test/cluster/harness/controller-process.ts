// The one way tests and `npm run bench` start a controller: a separate OS process run the way it runs in a cluster,
// authenticated as its ServiceAccount with exactly the RBAC that buildSystem() synthesizes (never as admin), logging
// to a file the test can read back, stoppable with SIGTERM or killed like a crash, with its CPU/RSS and metrics.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildSystem } from '../../../lib/builders';
import { CONTROLLER_NAME } from '../../../lib/builders/controller-deployment';
import { freePorts } from '../plane/ports';
import { ControllerLog, type LogLine } from './controller-log';
import { installCrds } from './crds';
import { adminKubeconfig } from './env';
import { applyServerSide } from './kubectl';
import { processTreeUsage } from './process-usage';
import { sumMetric } from './prometheus-text';
import { serviceAccountKubeconfig } from './service-account';
import { waitFor } from './wait';

export type { LogLine };

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
  /** http://127.0.0.1:<port> of our controller's /healthz and /readyz (undefined for a foreign --controller-cmd). */
  readonly probesUrl?: string;
  readonly logFile: string;
  /** Resolves with the exit code once the process has exited (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** SIGTERM (graceful: the Lease is released) and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL the whole process group, as a crash would (no Lease release, in-flight work abandoned). */
  kill(): Promise<void>;
  /** CPU seconds (user+system) and resident memory of the process and its descendants. */
  usage(): { cpuSeconds: number; rssBytes: number };
  /** The first JSON log line with this `msg`, if logged yet. */
  logged(msg: string): LogLine | undefined;
  /** Sum of every sample of metric `name` whose labels include all of `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export interface StartControllerOptions {
  kubeconfig: string;
  /** Extra flags for our controller. */
  args?: string[];
  /** A foreign controller command line, run with `sh -c`; KUBECONFIG points at the ServiceAccount kubeconfig. */
  command?: string;
  /**
   * Leader election for our controller (Lease in the controller namespace). On by default so a controller started
   * right after another one (or two started on purpose) never reconcile at the same time; the bench runs a single
   * controller without it.
   * @default true
   */
  leaderElect?: boolean;
  /** @default .cluster/controller-<time>-<n>.log */
  logFile?: string;
  /**
   * Run the controller as its image does: compiled by tsc with tsconfig.controller.json and started with `node`,
   * instead of through tsx (whose loader would add its own CPU and memory to what the bench measures).
   * @default false
   */
  compiled?: boolean;
}

let started = 0;

/** Compiles the controller's entry point the way the Dockerfile does, into `outDir`; returns the compiled entry point. */
function compileController(outDir: string): string {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.controller.json', '--outDir', outDir], { cwd: repoRoot, stdio: 'inherit' });
  return join(outDir, 'lib', 'controller', 'main.js');
}

/** Starts the controller and (for ours) waits until /readyz answers ok. */
export async function startController(options: StartControllerOptions): Promise<ControllerProcess> {
  const logFile = options.logFile ?? join(dirname(adminKubeconfig()), `controller-${Date.now()}-${process.pid}-${++started}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const out = openSync(logFile, 'a');
  const env = { ...process.env, KUBECONFIG: options.kubeconfig };
  let child: ChildProcess;
  let metricsUrl: string | undefined;
  let probesUrl: string | undefined;
  if (options.command) {
    child = spawn('sh', ['-c', `exec ${options.command}`], { cwd: repoRoot, env, stdio: ['ignore', out, out], detached: true });
  } else {
    const [metricsPort, probePort] = await freePorts(2);
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    probesUrl = `http://127.0.0.1:${probePort}`;
    const entry = options.compiled ? [compileController(join(dirname(logFile), 'controller-build'))] : ['--import', 'tsx', 'lib/controller/main.ts'];
    child = spawn(process.execPath, [
      ...entry, '--kubeconfig', options.kubeconfig, '--extensions', `--leader-elect=${options.leaderElect ?? true}`, `--leader-election-namespace=${CONTROLLER_NAMESPACE}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`, `--health-probe-bind-address=127.0.0.1:${probePort}`,
      // No conversion webhook unless a test asks (args come later and win): controllers of parallel tests must not race for the CRDs' caBundle.
      '--conversion-webhook-bind-address=0', ...(options.args ?? []),
    ], { cwd: repoRoot, env, stdio: ['ignore', out, out], detached: true });
  }
  closeSync(out);
  const pid = child.pid!;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let alive = true;
  void exited.then(() => { alive = false; });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const log = new ControllerLog(logFile);
  if (probesUrl) {
    const tail = () => readFileSync(logFile, 'utf8').slice(-4000);
    await waitFor(`controller /readyz (log ${logFile})`, async () => {
      if (!alive) throw new Error(`controller exited; log ${logFile} ends with:\n${tail()}`);
      const res = await fetch(`${probesUrl}/readyz`).catch(() => undefined);
      return res?.ok ?? false;
    }, { timeoutMs: 60_000, intervalMs: 100 });
  }
  return {
    pid, metricsUrl, probesUrl, logFile, exited,
    async stop() { signalGroup('SIGTERM'); return exited; },
    async kill() { signalGroup('SIGKILL'); await exited; },
    usage: () => processTreeUsage(pid),
    logged: (msg) => log.lines().find((l) => l.msg === msg),
    async metric(name, labels = {}) {
      if (!metricsUrl) throw new Error('a foreign controller command has no known metrics endpoint');
      return sumMetric(await (await fetch(metricsUrl)).text(), name, labels);
    },
  };
}
