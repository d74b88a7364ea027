// `npm run cluster:up` / `npm run cluster:down` / `npm run cluster:status` entry point.
import { clusterDir, clusterDown, clusterUp } from './plane';

async function main(command: string | undefined): Promise<void> {
  const started = Date.now();
  if (command === 'up') {
    const plane = await clusterUp();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`control plane ${plane.reused ? 'reused' : 'started'} in ${seconds}s: ${plane.server}`);
    console.log(`  kubectl --kubeconfig ${plane.kubeconfig} get nodes   (pod IPs from ${plane.podCidr}; logs in ${clusterDir})`);
  } else if (command === 'down') {
    await clusterDown();
    console.log('control plane stopped');
  } else {
    throw new Error(`usage: cli.ts up|down (got ${command ?? 'nothing'})`);
  }
}

main(process.argv[2]).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
