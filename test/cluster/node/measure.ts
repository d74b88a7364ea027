// Times of the real-node plane: bring-up from nothing (binaries and images cached), reuse of the running
// plane, and create-to-Ready of pods under runc and gVisor. Usage (root):
//   npx tsx test/cluster/node/measure.ts [pods per runtime, default 5]
import { buildRuntimeClass, gvisorRuntimeClass } from '../../../lib/builders/runtime-class';
import { clusterDown, clusterUp } from '../plane/plane';
import { kubectl } from '../harness/kubectl';
import { kubeconfigEnv } from '../harness/env';
import { runPod, testPod } from './pods';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

async function timed<T>(body: () => Promise<T>): Promise<number> {
  const started = Date.now();
  await body();
  return Date.now() - started;
}

async function main(count: number): Promise<void> {
  await clusterDown({ only: 'real-node' });
  const cold = await timed(() => clusterUp({ realNode: true }));
  const warm = await timed(() => clusterUp({ realNode: true }));
  const plane = await clusterUp({ realNode: true });
  process.env[kubeconfigEnv] = plane.kubeconfig;
  console.log(`plane + node: from nothing ${seconds(cold)}, reused ${seconds(warm)}`);
  await kubectl(['create', 'namespace', 'measure']);
  await kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(buildRuntimeClass(gvisorRuntimeClass())) });
  for (const runtimeClassName of [undefined, 'gvisor']) {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      times.push(await runPod('measure', testPod(`${runtimeClassName ?? 'runc'}-${i}`, { runtimeClassName, command: ['sleep', '3600'] })));
    }
    times.sort((a, b) => a - b);
    console.log(`${runtimeClassName ?? 'runc'} pod create -> Ready: min ${seconds(times[0])}, median ${seconds(times[Math.floor(count / 2)])}, max ${seconds(times[count - 1])}`);
  }
  await kubectl(['delete', 'namespace', 'measure', '--wait=false']);
}

main(Number(process.argv[2] ?? 5)).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
