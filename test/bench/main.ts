// `npm run bench`: brings up the local control plane, runs the controller as its ServiceAccount (ours compiled as its image runs it, or any
// command given with --controller-cmd), runs the scenarios, prints a markdown table and optionally writes JSON.
//   npm run bench -- [--json FILE] [--controller-cmd "CMD"] [--scenarios warm-claims,cold-claims] [--controller-args "--flag=v ..."]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { KubeClient } from '../../lib/kube/client';
import { installControllerIdentity, startController, type ControllerProcess } from '../cluster/harness/controller-process';
import { kubeconfigEnv } from '../cluster/harness/env';
import { kubectl } from '../cluster/harness/kubectl';
import { createNamespace, deleteNamespace, uniqueName } from '../cluster/harness/namespace';
import { clusterUp } from '../cluster/plane/plane';
import { apiServerWrites } from './api-writes';
import type { BenchContext, ResultRow, Scenario, StandaloneScenario } from './scenario';
import { scenarios as allScenarios, standaloneScenarios } from './scenarios';

interface Options {
  json?: string;
  controllerCmd?: string;
  controllerArgs: string[];
  scenarios: Scenario[];
  standalone: StandaloneScenario[];
}

/** Every bench namespace starts with this, so a later run can find (and wait out) what an earlier one left. */
const BENCH_PREFIX = 'bench-';

function parseArgs(argv: string[]): Options {
  const options: Options = { controllerArgs: [], scenarios: allScenarios, standalone: [] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    switch (flag) {
      case '--json': options.json = value(); break;
      case '--controller-cmd': options.controllerCmd = value(); break;
      case '--controller-args': options.controllerArgs = value().split(/\s+/).filter(Boolean); break;
      case '--scenarios': {
        const names = value().split(',');
        const known = [...allScenarios, ...standaloneScenarios].map((s) => s.name);
        const unknown = names.filter((n) => !known.includes(n));
        if (unknown.length) fail(`unknown scenario(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
        options.scenarios = allScenarios.filter((s) => names.includes(s.name));
        options.standalone = standaloneScenarios.filter((s) => names.includes(s.name));
        break;
      }
      default: fail(`unknown argument ${argv[i]}`);
    }
  }
  return options;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

/** Samples the controller's CPU and peak RSS while `body` runs. */
async function withUsage<T>(controller: ControllerProcess, body: () => Promise<T>): Promise<{ result: T; cpuCores: number; peakRssMiB: number }> {
  const start = controller.usage();
  const startedAt = performance.now();
  let peak = start.rssBytes;
  const timer = setInterval(() => { peak = Math.max(peak, controller.usage().rssBytes); }, 250);
  try {
    const result = await body();
    const end = controller.usage();
    const wallSeconds = (performance.now() - startedAt) / 1000;
    return { result, cpuCores: (end.cpuSeconds - start.cpuSeconds) / wallSeconds, peakRssMiB: Math.max(peak, end.rssBytes) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

function markdown(rows: ResultRow[], controller: string): string {
  const lines = [`Controller: \`${controller}\``, '', '| Scenario | Metric | Value | Target |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.scenario} | ${r.metric} | ${r.value} ${r.unit} | ${r.target ?? ''} |`);
  return lines.join('\n');
}

/** Runs scenarios that bring their own plane; the kwok plane and the local controller are not started for them. */
async function runStandalone(scenarios: StandaloneScenario[], log: (m: string) => void): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const scenario of scenarios) {
    log(`scenario ${scenario.name}: ${scenario.description}`);
    rows.push(...await scenario.run(log));
  }
  return rows;
}

function report(rows: ResultRow[], label: string, json: string | undefined, extra: Record<string, unknown>): void {
  process.stdout.write(`${markdown(rows, label)}\n`);
  if (json) writeFileSync(json, `${JSON.stringify({ controller: label, ...extra, date: new Date().toISOString(), rows }, null, 2)}\n`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  const standaloneRows = await runStandalone(options.standalone, log);
  if (options.scenarios.length === 0) {
    report(standaloneRows, 'the synthesized Deployment (our image, as deployed)', options.json, { loadAverage: loadavg() });
    return;
  }
  const plane = await clusterUp();
  process.env[kubeconfigEnv] = plane.kubeconfig;
  process.env.KUBECONFIG = plane.kubeconfig;
  log(`control plane ${plane.reused ? 'reused' : 'started'} at ${plane.server}`);
  const client = await KubeClient.create({ kubeconfig: plane.kubeconfig });
  const controller = await startController({
    kubeconfig: await installControllerIdentity(),
    command: options.controllerCmd,
    leaderElect: false,
    compiled: true,
    args: options.controllerCmd ? undefined : options.controllerArgs,
  });
  const label = options.controllerCmd ?? `lib/controller/main.ts compiled by tsc, run by node ${process.version} ${options.controllerArgs.join(' ')}`.trim();
  log(`controller pid ${controller.pid} (${label}); log ${controller.logFile}`);
  // A previous run's namespaces still being emptied would load the plane while we measure: wait them out.
  const leftovers = (await kubectl(['get', 'namespaces', '-o', 'name'])).split('\n').map((n) => n.replace('namespace/', '')).filter((n) => n.startsWith(BENCH_PREFIX));
  if (leftovers.length > 0) log(`waiting for ${leftovers.length} namespace(s) of an earlier run to be deleted`);
  for (const name of leftovers) await deleteNamespace(name, { wait: true });
  const namespaces: string[] = [];
  const ctx: BenchContext = {
    client, controller, log,
    apiWrites: apiServerWrites,
    async namespace(prefix) {
      const name = uniqueName(`${BENCH_PREFIX}${prefix}`);
      await createNamespace(name);
      namespaces.push(name);
      return name;
    },
  };
  const rows: ResultRow[] = [...standaloneRows];
  try {
    for (const scenario of options.scenarios) {
      log(`scenario ${scenario.name}: ${scenario.description}`);
      const { result, cpuCores, peakRssMiB } = await withUsage(controller, () => scenario.run(ctx));
      rows.push(...result,
        { scenario: scenario.name, metric: 'controller CPU (average)', value: Number(cpuCores.toFixed(2)), unit: 'cores' },
        { scenario: scenario.name, metric: 'controller RSS (peak)', value: Math.round(peakRssMiB), unit: 'MiB' });
    }
  } finally {
    await controller.stop();
    for (const name of namespaces) await deleteNamespace(name, { wait: true }).catch(() => undefined);
    client.close();
  }
  const version = JSON.parse(await kubectl(['version', '-o', 'json'])).serverVersion?.gitVersion;
  report(rows, label, options.json, { kubernetes: version });
  if (options.json) log(`wrote ${options.json}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
