// The platform as deployed on the real node (root; one per machine): `npm run synth`'s platform chart with the
// controller and router Pods of our images, a team of our constructs with gVisor sandboxes of our runtime image, and
// an agent using the SDK through the router. Measures what a platform team sizes nodes and pools by: warm claim →
// first output, cold Sandbox → Ready → first output, suspend → resume → first output, a pool filling with 20 gVisor
// sandboxes (time, node CPU) and the memory of an idle gVisor sandbox and of the controller and router Pods.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { App, Chart } from 'cdk8s';
import type { Pod } from 'kubernetes-types/core/v1';
import { pythonSandboxPod } from '../../../examples/playground/playground';
import { SandboxRuntimeClass } from '../../../lib';
import { DEFAULT_SYSTEM_NAMESPACE, type Sandbox } from '../../../lib/api';
import { CONTROLLER_NAME } from '../../../lib/builders/controller-deployment';
import { ROUTER_NAME } from '../../../lib/builders/router';
import { SandboxHandle } from '../../../lib/client';
import { resolveEndpoint } from '../../../lib/client/connection';
import { KubeClient, Resources } from '../../../lib/kube';
import { kubeconfigEnv } from '../../cluster/harness/env';
import { applyServerSide, getObject, kubectl } from '../../cluster/harness/kubectl';
import { serviceAccountKubeconfig } from '../../cluster/harness/service-account';
import { waitFor } from '../../cluster/harness/wait';
import { agentClient, deployTeam, podsOf, routerUrl, SANDBOX_RESOURCES, waitForPool } from '../../cluster/node/deployed-team';
import { deploySynthesizedPlatform } from '../../cluster/node/platform';
import { clusterUp } from '../../cluster/plane/plane';
import { percentile } from '../claim-watch';
import type { ResultRow, StandaloneScenario } from '../scenario';

const SCENARIO = 'real-node';
const WARM_POOL = 2;
const WARM_CLAIMS = 10;
const COLD_SANDBOXES = 5;
const FILL = 20;
/** gVisor with a small pod overhead, so 20 sandboxes fit beside the platform on a 2-core node. */
const DENSE_RUNTIME_CLASS = 'gvisor-dense';
const DENSE_POOL = 'dense';

const ms = (from: number) => performance.now() - from;
const row = (metric: string, value: number, unit: string, details?: Record<string, unknown>): ResultRow =>
  ({ scenario: SCENARIO, metric, value: Number(value.toFixed(unit === 'ms' || unit === 'MiB' ? 0 : 2)), unit, details });
const latencyRows = (what: string, samples: number[]): ResultRow[] => [
  row(`${what} p50`, percentile(samples, 50), 'ms', { samples: samples.map(Math.round), loadAverage: loadavg()[0] }),
  row(`${what} p99`, percentile(samples, 99), 'ms'),
];

/** Busy CPU time of the whole machine (user+nice+system+irq+softirq+steal), in seconds, from /proc/stat. */
function machineBusySeconds(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** Sum of the RSS of every host process in the memory cgroup of pod `uid` (for gVisor: its runsc sentry and gofer). */
function podRss(uid: string): { bytes: number; processes: string[] } {
  const marker = `pod${uid}`;
  let bytes = 0;
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const memoryLine = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((line) => /:memory:/.test(line));
      if (!memoryLine?.includes(marker)) continue;
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (!rss) continue;
      bytes += Number(rss[1]) * 1024;
      processes.push(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      // The process ended while we read it.
    }
  }
  return { bytes, processes };
}

const mib = (bytes: number) => bytes / 2 ** 20;

export const realNode: StandaloneScenario = {
  name: SCENARIO,
  description: 'the synthesized platform on the real node: gVisor sandboxes of our runtime image through the router (root; only when named)',
  standalone: true,
  async run(log) {
    const plane = await clusterUp({ realNode: true });
    process.env[kubeconfigEnv] = plane.kubeconfig;
    process.env.KUBECONFIG = plane.kubeconfig;
    log(`real-node plane ${plane.reused ? 'reused' : 'started'}; deploying the synthesized platform`);
    await deploySynthesizedPlatform();
    const dense = (() => {
      const app = new App();
      SandboxRuntimeClass.gvisor(new Chart(app, 'dense'), 'dense', { name: DENSE_RUNTIME_CLASS, overhead: { cpu: '10m', memory: '64Mi' } });
      return app.synthYaml();
    })();
    await applyServerSide(dense);
    const team = await deployTeam('bench-real', { poolReplicas: WARM_POOL, maxPoolReplicas: FILL, denseRuntimeClass: DENSE_RUNTIME_CLASS });
    const rows: ResultRow[] = [];
    const sdk = await agentClient(team);
    const agentKube = await KubeClient.create({ kubeconfig: await serviceAccountKubeconfig(team.namespace, team.agent) });
    const token = (await kubectl(['create', 'token', team.agent, '-n', team.namespace, '--duration=3600s'])).trim();
    const connection = { mode: 'router' as const, url: await routerUrl(), token };
    /** A handle on any Sandbox of the team through the router (the agent may reach all of them). */
    const handleOf = async (sandbox: string) => {
      const address = { namespace: team.namespace, sandbox };
      return new SandboxHandle(agentKube, address, sandbox, await resolveEndpoint(connection, address, agentKube));
    };
    const admin = await KubeClient.create({ kubeconfig: plane.kubeconfig });
    const isReady = async (name: string) =>
      (await admin.get<Sandbox>(Resources.sandboxes, team.namespace, name)).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    try {
      log(`warm claims: ${WARM_CLAIMS} serial, pool of ${WARM_POOL} refilled between them`);
      const warm: number[] = [];
      for (let i = 0; i < WARM_CLAIMS; i++) {
        await waitForPool(team.namespace, team.pool, WARM_POOL);
        const started = performance.now();
        const sandbox = await sdk.createSandbox({ namespace: team.namespace, warmPool: team.pool, name: `warm-${i}` });
        const { stdout } = await sandbox.run('echo ready');
        warm.push(ms(started));
        if (stdout !== 'ready\n') throw new Error(`warm-${i} answered ${JSON.stringify(stdout)}`);
        await sandbox.terminate();
      }
      rows.push(...latencyRows('warm claim → first output via router', warm));

      log(`cold Sandboxes: ${COLD_SANDBOXES} serial`);
      const toReady: number[] = [];
      const toOutput: number[] = [];
      const podTemplate = pythonSandboxPod(SANDBOX_RESOURCES);
      for (let i = 0; i < COLD_SANDBOXES; i++) {
        const name = `cold-${i}`;
        const started = performance.now();
        await admin.create<Sandbox>(Resources.sandboxes, { apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', metadata: { name, namespace: team.namespace }, spec: { podTemplate } });
        await waitFor(`Sandbox ${name} Ready`, () => isReady(name), { timeoutMs: 180_000, intervalMs: 50 });
        toReady.push(ms(started));
        await (await handleOf(name)).run('echo ready');
        toOutput.push(ms(started));
      }
      rows.push(...latencyRows('cold gVisor Sandbox → Ready', toReady), ...latencyRows('cold gVisor Sandbox → first output via router', toOutput));

      log('suspend → resume → first output');
      const resumed: number[] = [];
      for (let i = 0; i < COLD_SANDBOXES; i++) {
        const name = `cold-${i}`;
        const handle = await handleOf(name);
        await handle.suspend();
        await waitFor(`Sandbox ${name} suspended`, async () => (await getObject('pod', name, { namespace: team.namespace })) === undefined, { timeoutMs: 120_000, intervalMs: 100 });
        const started = performance.now();
        await handle.resume();
        await waitFor(`Sandbox ${name} Ready`, () => isReady(name), { timeoutMs: 180_000, intervalMs: 50 });
        await (await handleOf(name)).run('echo ready');
        resumed.push(ms(started));
      }
      rows.push(...latencyRows('resume of a suspended Sandbox → first output via router', resumed));

      log('memory of idle pods');
      const idle = await podsOf(team.namespace, 'app.kubernetes.io/name=playground-python');
      const sandboxRss = idle.map((pod) => podRss(pod.metadata!.uid!));
      const perSandbox = sandboxRss.map((r) => mib(r.bytes)).sort((a, b) => a - b);
      rows.push(row('idle gVisor sandbox RSS (runsc sentry + gofer), median', percentile(perSandbox, 50), 'MiB', {
        sandboxes: perSandbox.map(Math.round), processes: [...new Set(sandboxRss.flatMap((r) => r.processes))],
      }));
      for (const [label, component] of [['controller', CONTROLLER_NAME], ['router', ROUTER_NAME]] as const) {
        const pods: Pod[] = await podsOf(DEFAULT_SYSTEM_NAMESPACE, `app.kubernetes.io/name=${component}`);
        const each = pods.map((pod) => mib(podRss(pod.metadata!.uid!).bytes));
        rows.push(row(`${label} Pod RSS (max of ${pods.length})`, Math.max(...each), 'MiB', { pods: each.map(Math.round) }));
      }
      for (let i = 0; i < COLD_SANDBOXES; i++) await admin.delete(Resources.sandboxes, team.namespace, `cold-${i}`);

      log(`pool fill: 0 → ${FILL} gVisor sandboxes`);
      const busyBefore = machineBusySeconds();
      const started = performance.now();
      await kubectl(['scale', 'sandboxwarmpool', DENSE_POOL, '-n', team.namespace, `--replicas=${FILL}`]);
      await waitForPool(team.namespace, DENSE_POOL, FILL, 600_000);
      const seconds = ms(started) / 1000;
      rows.push(
        row(`warm pool 0 → ${FILL} Ready gVisor sandboxes`, seconds, 's', { loadAverage: loadavg()[0] }),
        row('machine CPU while filling (all processes)', (machineBusySeconds() - busyBefore) / seconds, 'cores'),
      );
    } finally {
      sdk.close();
      agentKube.close();
      admin.close();
      await team.remove();
    }
    return rows;
  },
};
