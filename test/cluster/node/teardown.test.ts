// `npm run cluster:down` puts the host back exactly as the real node found it: no process, mount, network
// namespace, link, nftables/iptables rule, cgroup, sysctl change or host path is left behind. The test
// takes the node down itself and brings it up again for the files that run after it.
import { readdirSync, readFileSync } from 'node:fs';
import { captureHostState, hostStateChanges } from '../plane/node/host-state';
import { nodeDir, readBaseline } from '../plane/node/node';
import { clusterDown, clusterUp, realNodeClusterDir } from '../plane/plane';
import { applyGvisorRuntimeClass, runPod, testPod } from './pods';
import { createNamespace, uniqueName } from '../harness';

function processesOfTheNode(): string[] {
  const marker = `${nodeDir(realNodeClusterDir)}/`;
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((pid) => {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes(marker) ? [`${pid}: ${cmdline.replace(/\0/g, ' ')}`] : [];
    } catch {
      return [];
    }
  });
}

afterAll(async () => {
  await clusterUp({ realNode: true });
});

test('cluster:down leaves the host as the baseline recorded it, with pods running until then', async () => {
  // Something to clean up under both runtimes, including a network namespace and mounts each.
  const namespace = uniqueName('teardown');
  await createNamespace(namespace);
  await runPod(namespace, testPod('runc', { command: ['sleep', '3600'] }));
  await runPod(namespace, testPod('gvisor', { runtimeClassName: await applyGvisorRuntimeClass(), command: ['sleep', '3600'] }));
  const baseline = readBaseline(realNodeClusterDir);
  expect(baseline).toBeDefined();
  expect(processesOfTheNode().length).toBeGreaterThan(0);

  await clusterDown({ only: 'real-node' });

  expect(hostStateChanges(baseline!, captureHostState())).toEqual([]);
  expect(processesOfTheNode()).toEqual([]);
  expect(readBaseline(realNodeClusterDir)).toBeUndefined();
});
