// `npm run cluster:up [-- --real-node]` / `npm run cluster:down` entry point.
import { clusterDir, clusterDown, clusterUp, realNodeClusterDir } from './plane';

async function main(command: string | undefined, flags: string[]): Promise<void> {
  const unknown = flags.filter((flag) => flag !== '--real-node');
  if (unknown.length > 0) throw new Error(`unknown flag ${unknown.join(' ')} (usage: cli.ts up [--real-node] | down)`);
  const started = Date.now();
  if (command === 'up') {
    const realNode = flags.includes('--real-node');
    const plane = await clusterUp({ realNode });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const what = realNode ? `control plane with real node ${plane.node}` : 'control plane';
    console.log(`${what} ${plane.reused ? 'reused' : 'started'} in ${seconds}s: ${plane.server}`);
    console.log(`  kubectl --kubeconfig ${plane.kubeconfig} get nodes   (pod IPs from ${plane.podCidr}; logs in ${realNode ? realNodeClusterDir : clusterDir})`);
  } else if (command === 'down') {
    await clusterDown();
    console.log(`control planes stopped (and the real node torn down) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } else {
    throw new Error(`usage: cli.ts up [--real-node] | down (got ${command ?? 'nothing'})`);
  }
}

main(process.argv[2], process.argv.slice(3)).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
