// SandboxWarmPool controller against the real API server (controller as a separate process with the synthesized
// RBAC, kwok making pods Ready): fill and refill after adoption, scaling (kubectl scale, HPA), a controller killed
// mid-fill, both update strategies, holding of unschedulable / scheduling-gated members, and a ReplicaFailure
// condition with a Warning event for a missing template and quota-rejected creates. Every pool is watched (through the Informer, gaps fail the test) and
// must never have more members than its replicas at any observed point.
import { LABEL, nameHash } from '../../../lib/api';
import { KubeClient } from '../../../lib/kube';
import {
  adminKubeconfig, applyServerSide, createNamespace, deleteNamespace, getObject, installControllerIdentity, kubectl, startController, uniqueName, useTestNamespace, waitFor,
  type ControllerProcess,
} from '../harness';
import { watchPoolMembers, type PoolWatch } from '../../support/pool-watcher';

const ns = useTestNamespace('pool');
// A short grace period only where the test needs members to outlive it; elsewhere the default (a busy 2-core plane can
// take longer than a few seconds to make a burst of members Ready, and replacing them would be correct but noisy).
const SHORT_GRACE = ['--sandbox-warm-pool-readiness-grace-period=4s', '--sandbox-warm-pool-unschedulable-recheck-interval=2s'];
let kubeconfig: string;
let controller: ControllerProcess;
const watches: PoolWatch[] = [];
let admin: KubeClient;

beforeAll(async () => {
  admin = await KubeClient.create({ kubeconfig: adminKubeconfig() });
  kubeconfig = await installControllerIdentity();
  controller = await startController({ kubeconfig });
}, 120_000);
afterAll(async () => {
  for (const w of watches) w.stop();
  await controller?.stop();
  admin?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function template(name: string, podSpec: Record<string, unknown> = {}, image = 'example.invalid/agent:1') {
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate', metadata: { name },
    spec: { podTemplate: { spec: { containers: [{ name: 'agent', image }], ...podSpec } } },
  };
}

function pool(name: string, templateName: string, replicas: number, strategy?: 'Recreate' | 'OnReplenish') {
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool', metadata: { name },
    spec: { replicas, sandboxTemplateRef: { name: templateName }, ...(strategy ? { updateStrategy: { type: strategy } } : {}) },
  };
}

async function members(poolName: string): Promise<any[]> {
  const out = await kubectl(['get', 'sandboxes', '-n', ns.name, '-l', `${LABEL.warmPoolSandbox}=${nameHash(poolName)}`, '-o', 'json']);
  return JSON.parse(out).items;
}

async function track(poolName: string): Promise<PoolWatch> {
  const w = await watchPoolMembers(admin, ns.name, { pool: poolName });
  watches.push(w);
  return w;
}

/** Waits until the pool has exactly `n` members, all Ready, and status says so. */
async function waitForReadyPool(poolName: string, n: number, timeoutMs = 60_000): Promise<any[]> {
  return waitFor(`pool ${poolName} with ${n} Ready members`, async () => {
    const [list, p] = await Promise.all([members(poolName), getObject<any>('sandboxwarmpool', poolName, { namespace: ns.name })]);
    const ready = list.filter((s) => s.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    return list.length === n && ready.length === n && p?.status?.readyReplicas === n && p?.status?.replicas === n ? list : undefined;
  }, { timeoutMs, intervalMs: 250 });
}

/** Takes a member out of the pool exactly like a claim adoption: one optimistic-lock write replacing the owner. */
async function adopt(member: any, owner: any): Promise<void> {
  const patch = {
    metadata: {
      resourceVersion: member.metadata.resourceVersion,
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.metadata.name, uid: owner.metadata.uid, controller: true }],
      labels: { [LABEL.warmPoolSandbox]: null },
    },
  };
  await kubectl(['patch', 'sandbox', member.metadata.name, '-n', ns.name, '--type=merge', '-p', JSON.stringify(patch)]);
}

async function adopter(name: string): Promise<any> {
  await applyServerSide([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }], { namespace: ns.name });
  return getObject<any>('configmap', name, { namespace: ns.name });
}

/** The pool's ReplicaFailure condition (why members cannot be created), if it has one. */
async function replicaFailure(poolName: string, namespace: string): Promise<any> {
  const p = await getObject<any>('sandboxwarmpool', poolName, { namespace });
  return p?.status?.conditions?.find((c: any) => c.type === 'ReplicaFailure');
}

async function events(objectName: string, reason: string): Promise<any[]> {
  const out = await kubectl(['get', 'events', '-n', ns.name, '-o', 'json', '--field-selector', `involvedObject.name=${objectName},reason=${reason}`]);
  return JSON.parse(out).items;
}

test('fills to replicas with the shared member contract, reports status, refills after an adoption', async () => {
  await applyServerSide([template('base')], { namespace: ns.name });
  const watch = await track('fill');
  await applyServerSide([pool('fill', 'base', 3)], { namespace: ns.name });
  const filled = await waitForReadyPool('fill', 3);
  const p = await getObject<any>('sandboxwarmpool', 'fill', { namespace: ns.name });
  expect(p.status.selector).toBe(`${LABEL.warmPoolSandbox}=${nameHash('fill')}`);
  expect(p.status.observedGeneration).toBe(p.metadata.generation);
  const m = filled[0];
  expect(m.metadata.name).toMatch(/^fill-[a-z0-9]{5}$/);
  expect(m.metadata.labels).toMatchObject({
    [LABEL.templateRefHash]: nameHash('base'), [LABEL.launchType]: 'warm', [LABEL.createdBy]: 'controller',
    [LABEL.templateHash]: expect.stringMatching(/^[0-9a-f]{8}$/), [LABEL.podTemplateHash]: expect.stringMatching(/^[0-9a-f]{8}$/),
  });
  expect(m.metadata.annotations['agents.x-k8s.io/sandbox-template-ref']).toBe('base');
  expect(m.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'SandboxWarmPool', name: 'fill', uid: p.metadata.uid, controller: true })]);
  expect(m.spec.podTemplate.spec.automountServiceAccountToken).toBe(false);
  expect(m.spec.podTemplate.spec.dnsPolicy).toBe('None');

  const owner = await adopter('claim-stand-in');
  await adopt(m, owner);
  const refilled = await waitForReadyPool('fill', 3);
  expect(refilled.map((s) => s.metadata.name)).not.toContain(m.metadata.name);
  const adopted = await getObject<any>('sandbox', m.metadata.name, { namespace: ns.name });
  expect(adopted.metadata.uid).toBe(m.metadata.uid); // the pool never deletes what a claim took
  expect(watch.max()).toBe(3);
});

test('scales up and down through spec, kubectl scale and the scale subresource', async () => {
  const watch = await track('fill');
  await kubectl(['scale', 'sandboxwarmpool', 'fill', '-n', ns.name, '--replicas=6']);
  await waitForReadyPool('fill', 6);
  expect(watch.max()).toBe(6);
  const scale = JSON.parse(await kubectl(['get', '--raw', `/apis/extensions.agents.x-k8s.io/v1beta1/namespaces/${ns.name}/sandboxwarmpools/fill/scale`]));
  expect(scale.spec.replicas).toBe(6);
  expect(scale.status).toEqual({ replicas: 6, selector: `${LABEL.warmPoolSandbox}=${nameHash('fill')}` });
  await kubectl(['scale', 'sandboxwarmpool', 'fill', '-n', ns.name, '--replicas=2']);
  await waitForReadyPool('fill', 2);
  expect(watch.max()).toBe(6);
});

test('an HPA scales the pool through the scale subresource', async () => {
  await applyServerSide([{
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'fill' },
    spec: {
      scaleTargetRef: { apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool', name: 'fill' },
      minReplicas: 4, maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    },
  }], { namespace: ns.name });
  await waitFor('HPA raising the pool to minReplicas', async () =>
    (await getObject<any>('sandboxwarmpool', 'fill', { namespace: ns.name }))?.spec.replicas === 4, { timeoutMs: 90_000, intervalMs: 1000 });
  await waitForReadyPool('fill', 4);
  await kubectl(['delete', 'hpa', 'fill', '-n', ns.name]);
}, 150_000);

test('a controller killed mid-fill converges after restart without over-creating', async () => {
  const watch = await track('burst');
  await applyServerSide([pool('burst', 'base', 60)], { namespace: ns.name });
  await waitFor('a partly filled pool', async () => watch.count() >= 10 && watch.count() < 60, { intervalMs: 20 });
  await controller.kill();
  const atKill = watch.count();
  controller = await startController({ kubeconfig });
  await waitForReadyPool('burst', 60, 120_000);
  await sleep(2000);
  expect(watch.count()).toBe(60);
  expect(watch.max()).toBe(60);
  expect(atKill).toBeLessThan(60);
}, 180_000);

test('template change: Recreate replaces stale members, OnReplenish keeps them until taken', async () => {
  await applyServerSide([template('versioned', {}, 'example.invalid/agent:1')], { namespace: ns.name });
  const eagerWatch = await track('eager');
  const lazyWatch = await track('lazy');
  await applyServerSide([pool('eager', 'versioned', 2, 'Recreate'), pool('lazy', 'versioned', 2, 'OnReplenish')], { namespace: ns.name });
  const eagerBefore = await waitForReadyPool('eager', 2);
  const lazyBefore = await waitForReadyPool('lazy', 2);
  const oldHash = eagerBefore[0].metadata.labels[LABEL.templateHash];

  await applyServerSide([template('versioned', {}, 'example.invalid/agent:2')], { namespace: ns.name });
  const eagerAfter = await waitFor('Recreate pool rebuilt from the new blueprint', async () => {
    const list = await members('eager');
    const fresh = list.filter((s) => s.metadata.labels[LABEL.templateHash] !== oldHash && s.spec.podTemplate.spec.containers[0].image.endsWith(':2'));
    return fresh.length === 2 && list.length === 2 ? list : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
  expect(eagerAfter.map((s) => s.metadata.name)).not.toEqual(expect.arrayContaining([eagerBefore[0].metadata.name]));
  expect(eagerWatch.max()).toBe(2);

  await sleep(1500);
  const lazyNow = await members('lazy');
  expect(lazyNow.map((s) => s.metadata.uid).sort()).toEqual(lazyBefore.map((s) => s.metadata.uid).sort());
  await adopt(lazyNow[0], await adopter('lazy-taker'));
  const lazyAfter = await waitForReadyPool('lazy', 2);
  const replacement = lazyAfter.find((s) => s.metadata.uid !== lazyNow[1].metadata.uid);
  expect(replacement.spec.podTemplate.spec.containers[0].image).toBe('example.invalid/agent:2');
  expect(lazyAfter.some((s) => s.metadata.uid === lazyNow[1].metadata.uid)).toBe(true); // the stale one stays
  expect(lazyWatch.max()).toBe(2);
}, 120_000);

test('unschedulable and scheduling-gated members are held past the grace period, with events', async () => {
  const nodeLabel = `example.invalid/pool-test-${ns.name}`;
  await controller.stop();
  controller = await startController({ kubeconfig, args: SHORT_GRACE });
  await applyServerSide([
    template('nowhere', { nodeSelector: { [nodeLabel]: 'here' } }),
    template('gated', { schedulingGates: [{ name: 'example.invalid/admission' }] }),
  ], { namespace: ns.name });
  const watch = await track('held');
  await applyServerSide([pool('held', 'nowhere', 2), pool('gated', 'gated', 1)], { namespace: ns.name });
  const first = await waitFor('held pool members', async () => { const l = await members('held'); return l.length === 2 ? l : undefined; });
  const gatedFirst = await waitFor('gated pool member', async () => { const l = await members('gated'); return l.length === 1 ? l : undefined; });
  const warning = await waitFor('WarmPoolNotProgressing event', async () => (await events('held', 'WarmPoolNotProgressing'))[0], { timeoutMs: 30_000 });
  expect(warning.type).toBe('Warning');
  expect(warning.message).toContain('2/2 sandboxes are unschedulable');
  await waitFor('gated pool WarmPoolNotProgressing event', async () => (await events('gated', 'WarmPoolNotProgressing'))[0], { timeoutMs: 30_000 });
  await sleep(5000); // well past the 4 s grace period: still the same members
  expect((await members('held')).map((s) => s.metadata.uid).sort()).toEqual(first.map((s) => s.metadata.uid).sort());
  expect((await members('gated')).map((s) => s.metadata.uid)).toEqual(gatedFirst.map((s) => s.metadata.uid));
  expect(watch.max()).toBe(2);

  const node = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])).items[0].metadata.name;
  await kubectl(['label', 'node', node, `${nodeLabel}=here`]);
  try {
    await waitForReadyPool('held', 2);
    const normal = await waitFor('WarmPoolProgressing event', async () => (await events('held', 'WarmPoolProgressing'))[0]);
    expect(normal.type).toBe('Normal');
  } finally {
    await kubectl(['label', 'node', node, `${nodeLabel}-`]);
  }
}, 120_000);

test('a missing template and failing creates are reported on the pool, and the pool recovers', async () => {
  await applyServerSide([pool('early', 'late', 1)], { namespace: ns.name });
  const missing = await waitFor('TemplateNotFound event', async () => (await events('early', 'TemplateNotFound'))[0]);
  expect(missing.message).toContain('SandboxTemplate "late" not found');
  const missingCondition = await waitFor('ReplicaFailure TemplateNotFound', async () => replicaFailure('early', ns.name));
  expect(missingCondition).toMatchObject({ status: 'True', reason: 'TemplateNotFound', message: missing.message });
  await applyServerSide([template('late')], { namespace: ns.name });
  await waitForReadyPool('early', 1);
  await waitFor('ReplicaFailure cleared', async () => (await replicaFailure('early', ns.name)) === undefined);

  const quotaNs = uniqueName('pool-quota');
  await createNamespace(quotaNs);
  try {
    await applyServerSide([{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'two-sandboxes' }, spec: { hard: { 'count/sandboxes.agents.x-k8s.io': '2' } } }], { namespace: quotaNs });
    await waitFor('quota status', async () => (await getObject<any>('resourcequota', 'two-sandboxes', { namespace: quotaNs }))?.status?.hard);
    await applyServerSide([template('base'), pool('capped', 'base', 3)], { namespace: quotaNs });
    const failed = await waitFor('FailedCreate event', async () => {
      const out = await kubectl(['get', 'events', '-n', quotaNs, '-o', 'json', '--field-selector', 'involvedObject.name=capped,reason=FailedCreate']);
      return JSON.parse(out).items[0];
    });
    expect(failed.type).toBe('Warning');
    expect(failed.message).toContain('exceeded quota');
    // Until the template's NetworkPolicy is in place the pool says NetworkPolicyNotReady; then the quota refuses.
    const failedCondition = await waitFor('ReplicaFailure FailedCreate', async () => {
      const condition = await replicaFailure('capped', quotaNs);
      return condition?.reason === 'FailedCreate' ? condition : undefined;
    });
    expect(failedCondition.status).toBe('True');
    expect(failedCondition.message).toContain('exceeded quota: two-sandboxes');
    const list = JSON.parse(await kubectl(['get', 'sandboxes', '-n', quotaNs, '-o', 'json'])).items;
    expect(list).toHaveLength(2);
  } finally {
    await deleteNamespace(quotaNs);
  }
}, 120_000);
