// The Sandbox controller against the real local control plane, running as a separate process authenticated as its
// ServiceAccount with exactly the RBAC AgentSandboxSystem synthesizes. kwok makes scheduled Pods Running and Ready.
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import { ANNOTATION, LABEL, nameHash } from '../../lib/api';
import {
  applyServerSide, getObject, installControllerIdentity, kubectl, startController, uniqueName, useTestNamespace, waitFor, waitForDeletion,
  type ControllerProcess,
} from './harness';
import { condition, getPod, getSandbox, listPods, sandboxManifest, waitForReady } from './controller/fixtures';

const ns = useTestNamespace('sbx');
let kubeconfig: string;
let controller: ControllerProcess;

beforeAll(async () => {
  kubeconfig = await installControllerIdentity();
  controller = await startController({ kubeconfig });
});

afterAll(async () => {
  await controller?.stop();
});

test('the controller identity is not cluster-admin and cannot touch Secrets or delete PVCs', async () => {
  const can = async (...args: string[]) => (await kubectl(['auth', 'can-i', ...args, '--kubeconfig', kubeconfig]).catch(() => 'no')).trim();
  expect(await can('*', '*', '--all-namespaces')).toBe('no');
  expect(await can('get', 'secrets', '-n', ns.name)).toBe('no');
  expect(await can('delete', 'persistentvolumeclaims', '-n', ns.name)).toBe('no');
  expect(await can('create', 'pods', '-n', ns.name)).toBe('yes');
});

test('Sandbox -> Pod -> Ready, with a headless Service and serviceFQDN', async () => {
  const name = uniqueName('ready');
  await applyServerSide([sandboxManifest(ns.name, name, { service: true }, { [LABEL.createdBy]: 'python-client' })]);
  const sb = await waitForReady(ns.name, name);
  const pod = (await getPod(ns.name, name))!;
  expect(pod.metadata?.labels?.[LABEL.sandboxNameHash]).toBe(nameHash(name));
  expect(pod.metadata?.labels?.[LABEL.createdBy]).toBe('python-client');
  expect(pod.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Sandbox', name, uid: sb.metadata.uid, controller: true })]);
  expect(sb.status).toMatchObject({
    service: name, serviceFQDN: `${name}.${ns.name}.svc.cluster.local`,
    selector: `${LABEL.sandboxNameHash}=${nameHash(name)}`, nodeName: pod.spec?.nodeName,
  });
  expect(sb.status?.podIPs?.length).toBeGreaterThan(0);
  expect(condition(sb, 'Ready')?.message).toBe('Pod is Ready; Service Exists');
  expect(condition(sb, 'Suspended')).toMatchObject({ status: 'False', reason: 'NotSuspended' });
  expect(condition(sb, 'PodScheduled')?.status).toBe('True');
  expect(sb.metadata.annotations?.[ANNOTATION.podName]).toBe(name);
  const svc = await getObject<{ spec: { clusterIP: string; selector: object; ports: object[] } }>('service', name, { namespace: ns.name });
  expect(svc?.spec).toMatchObject({ clusterIP: 'None', selector: { [LABEL.sandboxNameHash]: nameHash(name) }, ports: [{ name: 'p-8888-tcp', port: 8888 }] });
});

test('a starting Sandbox\'s not-Ready status is held for the 1s coalescing window, then written', async () => {
  const name = uniqueName('held');
  // A Pod no node matches stays Pending, so Ready never turns True and nothing is written before the deadline.
  const createdAfter = Date.now();
  await applyServerSide([sandboxManifest(ns.name, name, { podTemplate: { spec: { nodeSelector: { 'example.com/nowhere': 'true' }, containers: [{ name: 'main', image: 'registry.example/agent:1' }] } } })]);
  const first = await waitFor('first status write', async () => {
    const sb = await getSandbox(ns.name, name);
    return sb?.status?.conditions?.length ? sb : undefined;
  }, { intervalMs: 50 });
  expect(Date.now() - createdAfter).toBeGreaterThanOrEqual(1000);
  expect(condition(first, 'Ready')).toMatchObject({ status: 'False', reason: 'DependenciesNotReady', message: 'Pod exists with phase: Pending' });
  // After the window each change is written as it happens.
  await waitFor('PodScheduled=False Unschedulable', async () => condition(await getSandbox(ns.name, name), 'PodScheduled')?.reason === 'Unschedulable');
});

test('a Pod deleted by someone else is recreated under the same name', async () => {
  const name = uniqueName('recreate');
  await applyServerSide([sandboxManifest(ns.name, name)]);
  await waitForReady(ns.name, name);
  const first = (await getPod(ns.name, name))!;
  await kubectl(['delete', 'pod', name, '-n', ns.name, '--wait=false']);
  await waitFor('a new Pod', async () => {
    const pod = await getPod(ns.name, name);
    return pod && pod.metadata?.uid !== first.metadata?.uid && !pod.metadata?.deletionTimestamp;
  });
  await waitForReady(ns.name, name);
  expect(await listPods(ns.name, `${LABEL.sandboxNameHash}=${nameHash(name)}`)).toHaveLength(1);
});

test('suspend deletes the Pod and keeps PVC and Service; resume mounts the same PVC', async () => {
  const name = uniqueName('suspend');
  const pvc = `data-${name}`;
  // A pre-bound PV so the PVC binds without a provisioner and the Pod can be scheduled.
  await applyServerSide([{
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `pv-${name}` },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` }, storageClassName: '', claimRef: { namespace: ns.name, name: pvc } },
  }]);
  const vct = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } } }];
  await applyServerSide([sandboxManifest(ns.name, name, { service: true, volumeClaimTemplates: vct })]);
  await waitForReady(ns.name, name);
  const claim = (await getObject<PersistentVolumeClaim>('pvc', pvc, { namespace: ns.name }))!;
  expect(claim.metadata?.labels?.[LABEL.sandboxNameHash]).toBe(nameHash(name));
  const firstPod = (await getPod(ns.name, name))!;
  expect(firstPod.spec?.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: pvc } });

  await kubectl(['patch', 'sandboxes.agents.x-k8s.io', name, '-n', ns.name, '--type=merge', '-p', '{"spec":{"operatingMode":"Suspended"}}']);
  const suspended = await waitForReady(ns.name, name, 'SandboxSuspended', {});
  await waitForDeletion('pod', name, { namespace: ns.name, timeoutMs: 60_000 });
  const settled = await waitFor('Suspended=True', async () => {
    const sb = await getSandbox(ns.name, name);
    return condition(sb, 'Suspended')?.status === 'True' ? sb : undefined;
  });
  expect(condition(settled, 'Suspended')?.reason).toBe('PodTerminated');
  expect(condition(settled, 'Ready')?.message).toBe('Sandbox is suspended');
  expect(settled.status?.podIPs).toBeUndefined();
  expect(settled.metadata.annotations?.[ANNOTATION.podName]).toBeUndefined();
  expect(suspended.metadata.uid).toBe(settled.metadata.uid);
  expect((await getObject<PersistentVolumeClaim>('pvc', pvc, { namespace: ns.name }))?.metadata?.uid).toBe(claim.metadata?.uid);
  expect(await getObject('service', name, { namespace: ns.name })).toBeDefined();

  await kubectl(['patch', 'sandboxes.agents.x-k8s.io', name, '-n', ns.name, '--type=merge', '-p', '{"spec":{"operatingMode":"Running"}}']);
  await waitForReady(ns.name, name);
  const resumed = (await getPod(ns.name, name))!;
  expect(resumed.metadata?.uid).not.toBe(firstPod.metadata?.uid);
  expect(resumed.spec?.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: pvc } });
  expect((await getObject<PersistentVolumeClaim>('pvc', pvc, { namespace: ns.name }))?.metadata?.uid).toBe(claim.metadata?.uid);
  await kubectl(['delete', 'pv', `pv-${name}`, '--wait=false']);
});

test('a user PVC is adopted only when labelled adoptable, and never deleted', async () => {
  const vct = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
  const userPvc = (pvcName: string, labels: Record<string, string>): PersistentVolumeClaim => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: pvcName, namespace: ns.name, labels },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  const adopted = uniqueName('adopt');
  const refused = uniqueName('refuse');
  await applyServerSide([userPvc(`data-${adopted}`, { [LABEL.adoptable]: 'true' }), userPvc(`data-${refused}`, { keep: 'me' })]);
  const before = (await getObject<PersistentVolumeClaim>('pvc', `data-${adopted}`, { namespace: ns.name }))!;
  await applyServerSide([sandboxManifest(ns.name, adopted, { volumeClaimTemplates: vct }), sandboxManifest(ns.name, refused, { volumeClaimTemplates: vct })]);

  const pvc = await waitFor('adopted PVC', async () => {
    const pvc = await getObject<PersistentVolumeClaim>('pvc', `data-${adopted}`, { namespace: ns.name });
    return pvc?.metadata?.ownerReferences?.length ? pvc : undefined;
  });
  expect(pvc.metadata?.uid).toBe(before.metadata?.uid);
  expect(pvc.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Sandbox', name: adopted, controller: true })]);
  expect(pvc.metadata?.labels?.[LABEL.sandboxNameHash]).toBe(nameHash(adopted));

  const error = await waitForReady(ns.name, refused, 'ReconcilerError');
  expect(condition(error, 'Ready')?.message).toContain(`PersistentVolumeClaim ${ns.name}/data-${refused} exists and is not adoptable`);
  const untouched = (await getObject<PersistentVolumeClaim>('pvc', `data-${refused}`, { namespace: ns.name }))!;
  expect(untouched.metadata?.ownerReferences).toBeUndefined();
  // Deleting the refused Sandbox (which also stops its error retries, so later tests see a quiet controller) leaves
  // the user's PVC in place.
  await kubectl(['delete', 'sandboxes.agents.x-k8s.io', refused, '-n', ns.name, '--wait=true']);
  expect((await getObject<PersistentVolumeClaim>('pvc', `data-${refused}`, { namespace: ns.name }))?.metadata?.deletionTimestamp).toBeUndefined();
});

test('expiry with Retain deletes Pod and Service but keeps the Sandbox and its PVCs', async () => {
  const name = uniqueName('retain');
  const shutdownTime = new Date(Date.now() + 6000).toISOString().replace(/\.\d+Z$/, 'Z');
  const vct = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
  await applyServerSide([sandboxManifest(ns.name, name, { service: true, shutdownTime, volumeClaimTemplates: vct })]);
  await waitFor('Pod', () => getPod(ns.name, name));
  const expired = await waitForReady(ns.name, name, 'SandboxExpired', { timeoutMs: 30_000 });
  expect(condition(expired, 'Ready')?.message).toBe('Sandbox has expired');
  await waitForDeletion('pod', name, { namespace: ns.name });
  await waitForDeletion('service', name, { namespace: ns.name });
  const after = await waitFor('status reduced to conditions', async () => {
    const sb = await getSandbox(ns.name, name);
    return sb && !sb.status?.service && !sb.status?.selector ? sb : undefined;
  });
  expect(condition(after, 'PodScheduled')).toBeUndefined();
  expect(await getObject('pvc', `data-${name}`, { namespace: ns.name })).toBeDefined();
});

test('expiry with Delete deletes the Sandbox', async () => {
  const name = uniqueName('delete');
  const shutdownTime = new Date(Date.now() + 5000).toISOString().replace(/\.\d+Z$/, 'Z');
  await applyServerSide([sandboxManifest(ns.name, name, { shutdownTime, shutdownPolicy: 'Delete' })]);
  await waitFor('Pod', () => getPod(ns.name, name));
  await waitForDeletion('sandboxes.agents.x-k8s.io', name, { namespace: ns.name, timeoutMs: 30_000 });
});

test('two owned Pods give a stable MultiplePods refusal: one event, no hot loop', async () => {
  const name = uniqueName('multi');
  await applyServerSide([sandboxManifest(ns.name, name)]);
  const sb = await waitForReady(ns.name, name);
  const intruder: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `${name}-extra`, namespace: ns.name, labels: { [LABEL.sandboxNameHash]: nameHash(name) },
      ownerReferences: [{ apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', name, uid: sb.metadata.uid!, controller: true }],
    },
    spec: { containers: [{ name: 'main', image: 'registry.example/agent:1' }] },
  };
  await applyServerSide([intruder]);
  const refused = await waitForReady(ns.name, name, 'MultiplePods');
  expect(condition(refused, 'Ready')?.message).toBe('multiple Pods (2) are controlled by this Sandbox; refusing to choose or create a Pod');
  // Let the intruder go Running (more Pod events) and the dust settle, then measure a quiet window.
  await new Promise((r) => setTimeout(r, 3000));
  // The controller watches every namespace, so reconcile totals move with unrelated work; errors and rate-limited
  // retries (what an upstream-style error backoff loop produces) and writes to this Sandbox must not.
  const errorsBefore = await controller.metric('controller_runtime_reconcile_errors_total', { controller: 'sandbox' });
  const retriesBefore = await controller.metric('workqueue_retries_total', { name: 'sandbox' });
  const rvBefore = (await getSandbox(ns.name, name))?.metadata.resourceVersion;
  await new Promise((r) => setTimeout(r, 5000));
  expect(await controller.metric('controller_runtime_reconcile_errors_total', { controller: 'sandbox' })).toBe(errorsBefore);
  expect(await controller.metric('workqueue_retries_total', { name: 'sandbox' })).toBe(retriesBefore);
  expect((await getSandbox(ns.name, name))?.metadata.resourceVersion).toBe(rvBefore);
  const events = JSON.parse(await kubectl(['get', 'events', '-n', ns.name, '-o', 'json', '--field-selector', `involvedObject.name=${name},reason=MultiplePods`])) as { items: unknown[] };
  expect(events.items).toHaveLength(1);
  // Both Pods are left alone: the controller never picks one to delete.
  expect(await listPods(ns.name, `${LABEL.sandboxNameHash}=${nameHash(name)}`)).toHaveLength(2);
});

test('a forged pod-name annotation never lets a Sandbox delete or adopt a Pod it does not own (#265)', async () => {
  const victim = uniqueName('victim');
  await applyServerSide([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: victim, namespace: ns.name }, spec: { containers: [{ name: 'c', image: 'registry.example/x:1' }] } }]);
  const name = uniqueName('forged');
  const forged = sandboxManifest(ns.name, name, { operatingMode: 'Suspended' });
  forged.metadata.annotations = { [ANNOTATION.podName]: victim };
  await applyServerSide([forged]);
  await waitFor('Suspended=True', async () => condition(await getSandbox(ns.name, name), 'Suspended')?.status === 'True');
  await kubectl(['patch', 'sandboxes.agents.x-k8s.io', name, '-n', ns.name, '--type=merge', '-p', `{"metadata":{"annotations":{"${ANNOTATION.podName}":"${victim}"}},"spec":{"operatingMode":"Running"}}`]);
  const sb = await waitForReady(ns.name, name);
  expect(sb.metadata.annotations?.[ANNOTATION.podName]).toBe(name);
  const untouched = (await getPod(ns.name, victim))!;
  expect(untouched.metadata?.deletionTimestamp).toBeUndefined();
  expect(untouched.metadata?.ownerReferences).toBeUndefined();
});

test('template label changes reach the Pod without a restart; removed labels are pruned', async () => {
  const name = uniqueName('labels');
  const manifest = sandboxManifest(ns.name, name);
  manifest.spec.podTemplate.metadata = { labels: { team: 'a', tier: 'gold', [LABEL.claimUid]: 'forged' }, annotations: { note: 'x' } };
  await applyServerSide([manifest]);
  await waitForReady(ns.name, name);
  const before = (await getPod(ns.name, name))!;
  expect(before.metadata?.labels).toMatchObject({ team: 'a', tier: 'gold' });
  expect(before.metadata?.labels?.[LABEL.claimUid]).toBeUndefined();
  manifest.spec.podTemplate.metadata = { labels: { team: 'b' } };
  await applyServerSide([manifest]);
  const after = await waitFor('labels updated and pruned', async () => {
    const pod = await getPod(ns.name, name);
    const labels = pod?.metadata?.labels ?? {};
    return labels.team === 'b' && !('tier' in labels) && !('note' in (pod?.metadata?.annotations ?? {})) ? pod : undefined;
  });
  expect(after.metadata?.uid).toBe(before.metadata?.uid);
  expect(after.metadata?.annotations?.['agents.x-k8s.io/propagated-labels']).toBe('team');
});

test('killing the controller mid-way and restarting it converges with nothing duplicated or lost', async () => {
  const names = Array.from({ length: 20 }, (_, i) => `crash-${i}-${uniqueName('x').slice(2)}`);
  await applyServerSide(names.map((n) => sandboxManifest(ns.name, n, { service: true })));
  await waitFor('some Pods created', async () => (await listPods(ns.name)).some((p) => p.metadata?.name?.startsWith('crash-')));
  await controller.kill();
  controller = await startController({ kubeconfig });
  for (const n of names) await waitForReady(ns.name, n, 'DependenciesReady', { timeoutMs: 90_000 });
  const pods = (await listPods(ns.name)).filter((p) => p.metadata?.name?.startsWith('crash-'));
  expect(pods.map((p) => p.metadata?.name).sort()).toEqual([...names].sort());
  for (const n of names) {
    const svc = await getObject<{ metadata: { ownerReferences: unknown[] } }>('service', n, { namespace: ns.name });
    expect(svc?.metadata.ownerReferences).toHaveLength(1);
  }
});
