// The real node runs pods: it registers Ready with the label our RuntimeClass presets schedule on, runs a
// pod under runc on the host kernel, and one under our gVisor RuntimeClass inside gVisor's kernel.
import { getObject, kubectl, useTestNamespace } from '../harness';
import { realNodeLabels, realNodeName } from '../plane/node/configs';
import { applyGvisorRuntimeClass, exec, runPod, testPod } from './pods';

const ns = useTestNamespace('node');
const sleeper = ['sh', '-c', 'echo started; exec sleep 3600'];

interface NodeObject {
  metadata: { labels: Record<string, string> };
  status: { conditions: { type: string; status: string }[]; addresses: { type: string; address: string }[] };
}

test('the node is Ready, addressed on the bridge, and labelled for the gVisor RuntimeClass', async () => {
  const node = await getObject<NodeObject>('node', realNodeName);
  expect(node?.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  expect(node?.metadata.labels).toMatchObject(realNodeLabels);
  expect(node?.status.addresses).toContainEqual({ type: 'InternalIP', address: '198.18.0.1' });
  // No kwok node in this plane: every pod really runs.
  expect((await kubectl(['get', 'nodes', '-o', 'name'])).trim()).toBe(`node/${realNodeName}`);
});

test('a pod under runc runs on the host kernel: logs, exec and a pod IP in 198.18.0.0/16', async () => {
  const readyMs = await runPod(ns.name, testPod('runc', { command: sleeper }));
  expect(readyMs).toBeLessThan(60_000);
  expect(await kubectl(['logs', '-n', ns.name, 'runc'])).toBe('started\n');
  expect((await exec(ns.name, 'runc', ['uname', '-r'])).trim()).not.toMatch(/gvisor$/);
  expect(await exec(ns.name, 'runc', ['id', '-u'])).toBe('65534\n');
  const pod = await getObject<{ status: { podIP: string } }>('pod', 'runc', { namespace: ns.name });
  expect(pod?.status.podIP).toMatch(/^198\.18\.\d+\.\d+$/);
});

test('a pod under our gVisor RuntimeClass runs inside gVisor', async () => {
  const runtimeClassName = await applyGvisorRuntimeClass();
  const readyMs = await runPod(ns.name, testPod('gvisor', { runtimeClassName, command: sleeper }));
  expect(readyMs).toBeLessThan(60_000);
  expect(await kubectl(['logs', '-n', ns.name, 'gvisor'])).toBe('started\n');
  // gVisor's kernel reports its own release and boot log.
  expect((await exec(ns.name, 'gvisor', ['uname', '-r'])).trim()).toMatch(/gvisor$/);
  expect(await exec(ns.name, 'gvisor', ['dmesg'])).toMatch(/^\[[ \d.]+\] Starting gVisor/);
});
