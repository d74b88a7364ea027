// lib/kube against the real API server: CRUD, typed errors, optimistic-lock patches, delete preconditions,
// server-side apply, status subresource, selectors, watch, and the per-verb request counters.
import { ApiError, KubeClient, Resources, isAlreadyExists, isConflict, isNotFound, type KubeObject, type WatchEvent } from '../../../lib/kube';
import { adminKubeconfig, useTestNamespace } from '../harness';

const ns = useTestNamespace('kube-client');
type ConfigMap = KubeObject & { data?: Record<string, string> };
let client: KubeClient;
beforeAll(async () => { client = await KubeClient.create({ kubeconfig: adminKubeconfig() }); });
afterAll(() => client.close());

const cm = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): ConfigMap =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns.name, name, labels }, data });

test('create / get / AlreadyExists / NotFound', async () => {
  const created = await client.create(Resources.configMaps, cm('a', { x: '1' }));
  expect(created.metadata?.uid).toBeTruthy();
  expect((await client.get<ConfigMap>(Resources.configMaps, ns.name, 'a')).data).toEqual({ x: '1' });
  const dup = await client.create(Resources.configMaps, cm('a')).catch((e: unknown) => e);
  expect(isAlreadyExists(dup)).toBe(true);
  const missing = await client.get(Resources.configMaps, ns.name, 'nope').catch((e: unknown) => e);
  expect(isNotFound(missing)).toBe(true);
  expect((missing as ApiError).message).toContain('configmaps "nope" not found');
  expect(await client.getOrUndefined(Resources.configMaps, ns.name, 'nope')).toBeUndefined();
});

test('merge patch honours a resourceVersion precondition; update conflicts on a stale object', async () => {
  const obj = await client.create(Resources.configMaps, cm('b', { v: '1' }));
  const stale = { ...obj };
  await client.mergePatch(Resources.configMaps, ns.name, 'b', { data: { v: '2' } }, { resourceVersion: obj.metadata!.resourceVersion });
  const conflict = await client.mergePatch(Resources.configMaps, ns.name, 'b', { data: { v: '3' } }, { resourceVersion: obj.metadata!.resourceVersion }).catch((e: unknown) => e);
  expect(isConflict(conflict)).toBe(true);
  expect(isConflict(await client.update(Resources.configMaps, { ...stale, data: { v: '4' } }).catch((e: unknown) => e))).toBe(true);
  expect((await client.get<ConfigMap>(Resources.configMaps, ns.name, 'b')).data).toEqual({ v: '2' });
  // null removes a key
  const removed = await client.mergePatch<ConfigMap>(Resources.configMaps, ns.name, 'b', { data: { v: null } });
  expect(removed.data ?? {}).toEqual({});
});

test('server-side apply owns fields per manager; delete honours uid preconditions', async () => {
  const applied = await client.apply<ConfigMap>(Resources.configMaps, cm('c', { k: 'v' }), { fieldManager: 'ask-test' });
  expect(applied.metadata?.managedFields?.some((f) => (f as { manager?: string }).manager === 'ask-test')).toBe(true);
  const wrongUid = await client.delete(Resources.configMaps, ns.name, 'c', { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } }).catch((e: unknown) => e);
  expect(isConflict(wrongUid)).toBe(true);
  await client.delete(Resources.configMaps, ns.name, 'c', { preconditions: { uid: applied.metadata!.uid }, propagationPolicy: 'Background' });
  expect(await client.getOrUndefined(Resources.configMaps, ns.name, 'c')).toBeUndefined();
});

test('status subresource: status writes ignore spec and spec writes ignore status', async () => {
  const svc = await client.create<KubeObject & { spec: { ports: { port: number }[] }; status?: object }>(Resources.services, {
    apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns.name, name: 'svc' }, spec: { ports: [{ port: 80 }] },
  });
  const patched = await client.mergePatch<typeof svc>(Resources.services, ns.name, 'svc',
    { status: { conditions: [{ type: 'Probe', status: 'True', reason: 'Test', message: '', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] }, spec: { ports: [{ port: 81 }] } },
    { subresource: 'status' });
  expect(patched.spec.ports[0].port).toBe(80);
  expect(JSON.stringify(patched.status)).toContain('Probe');
});

test('list with label and field selectors, and a watch from the listed version', async () => {
  await client.create(Resources.configMaps, cm('l1', {}, { pick: 'yes' }));
  await client.create(Resources.configMaps, cm('l2', {}, { pick: 'no' }));
  const byLabel = await client.list(Resources.configMaps, { namespace: ns.name, labelSelector: 'pick=yes' });
  expect(byLabel.items.map((i) => i.metadata?.name)).toEqual(['l1']);
  const byField = await client.list(Resources.configMaps, { namespace: ns.name, fieldSelector: 'metadata.name=l2' });
  expect(byField.items.map((i) => i.metadata?.name)).toEqual(['l2']);

  const events: WatchEvent[] = [];
  const stop = new AbortController();
  const before = client.requestCounts();
  const watching = client.watch(Resources.configMaps, { namespace: ns.name, labelSelector: 'pick=yes', resourceVersion: byLabel.metadata.resourceVersion, signal: stop.signal }, (e) => events.push(e));
  await client.mergePatch(Resources.configMaps, ns.name, 'l1', { data: { changed: 'true' } });
  await client.mergePatch(Resources.configMaps, ns.name, 'l2', { data: { changed: 'true' } }); // filtered out by the selector
  await client.delete(Resources.configMaps, ns.name, 'l1');
  for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  stop.abort();
  await watching;
  expect(events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['MODIFIED l1', 'DELETED l1']);
  const after = client.requestCounts();
  expect(after.watch - before.watch).toBe(1);
  expect(after.patch - before.patch).toBe(2);
  expect(after.delete - before.delete).toBe(1);
});
