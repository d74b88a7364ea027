// Informer against real API servers: stays in sync through an API server restart (watch errors, then 410 Gone and a
// relist, because the restarted server's watch cache starts after our last resourceVersion) and through changes made
// while it was down; a label-selected informer only caches matching objects.
import { Backoff, Informer, KubeClient, listerWatcherFor, Resources, type KubeObject } from '../../../lib/kube';
import { adminKubeconfig, useTestNamespace, waitFor } from '../harness';
import { ExtraApiServer } from './extra-apiserver';

const ns = useTestNamespace('informer');
const cm = (name: string, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: ns.name, name, labels } });

let admin: KubeClient;
beforeAll(async () => { admin = await KubeClient.create({ kubeconfig: adminKubeconfig() }); });
afterAll(() => admin.close());

test('survives an API server restart: retries, relists after 410 and converges on changes made meanwhile', async () => {
  const apiserver = await ExtraApiServer.create();
  await apiserver.start();
  const client = await KubeClient.create({ kubeconfig: apiserver.kubeconfig });
  const restarts: string[] = [];
  const deleted: string[] = [];
  const informer = new Informer<KubeObject>(listerWatcherFor(client, Resources.configMaps, { namespace: ns.name }), {
    name: 'ConfigMap', backoff: new Backoff(100, 1000), onRestart: (reason) => restarts.push(reason),
  });
  informer.addEventHandler({ onDelete: (o) => deleted.push(o.metadata!.name!) });
  const stop = new AbortController();
  const running = informer.start(stop.signal);
  try {
    await informer.waitForSync();
    await admin.create(Resources.configMaps, cm('before'));
    await waitFor('informer sees "before"', async () => informer.get(ns.name, 'before') !== undefined);

    await apiserver.stop();
    await admin.create(Resources.configMaps, cm('during'));
    await admin.delete(Resources.configMaps, ns.name, 'before');
    // Writes to another resource move etcd's revision past anything this informer has seen.
    await admin.create(Resources.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: ns.name, name: 'bump' } });
    await apiserver.start();

    await waitFor('informer converges after the restart', async () =>
      informer.get(ns.name, 'during') !== undefined && informer.get(ns.name, 'before') === undefined, { timeoutMs: 60_000 });
    expect(deleted).toEqual(['before']);
    expect(restarts).toContain('error');
    expect(restarts).toContain('relist');
    // The watch keeps working after recovery.
    await admin.create(Resources.configMaps, cm('after'));
    await waitFor('informer sees "after"', async () => informer.get(ns.name, 'after') !== undefined);
  } finally {
    stop.abort();
    await running;
    client.close();
    await apiserver.stop();
  }
});

test('a label-selected informer caches only matching objects and follows label changes', async () => {
  const client = await KubeClient.create({ kubeconfig: adminKubeconfig() });
  const informer = new Informer<KubeObject>(listerWatcherFor(client, Resources.configMaps, { namespace: ns.name, labelSelector: 'cache=yes' }), { name: 'ConfigMap' });
  const stop = new AbortController();
  const running = informer.start(stop.signal);
  try {
    await admin.create(Resources.configMaps, cm('sel-yes', { cache: 'yes' }));
    await admin.create(Resources.configMaps, cm('sel-no', { cache: 'no' }));
    await informer.waitForSync();
    await waitFor('labelled object cached', async () => informer.get(ns.name, 'sel-yes') !== undefined);
    expect(informer.get(ns.name, 'sel-no')).toBeUndefined();
    await admin.mergePatch(Resources.configMaps, ns.name, 'sel-yes', { metadata: { labels: { cache: 'no' } } });
    await waitFor('object leaves the cache when its label stops matching', async () => informer.get(ns.name, 'sel-yes') === undefined);
    expect(informer.list(ns.name).every((o) => o.metadata?.labels?.cache === 'yes')).toBe(true);
    expect(informer.get(ns.name, 'sel-no')?.metadata?.managedFields).toBeUndefined();
  } finally {
    stop.abort();
    await running;
    client.close();
  }
});
