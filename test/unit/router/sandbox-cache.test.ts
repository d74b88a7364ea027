// The router's SandboxCache over the in-memory API server and the shared Informer: a refresh() read is not
// overwritten by watch events older than it (a lagging watch), without ordering resourceVersions — the cache waits for
// the read's own version, or the deletion — and then follows the watch again.
import type { Sandbox } from '../../../lib/api';
import { Resources } from '../../../lib/kube';
import { SandboxCache } from '../../../lib/router';
import { FakeApiServer } from '../../support/fake-api-server';

const ready = { type: 'Ready', status: 'True', reason: 'DependenciesReady', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' };
const caches: SandboxCache[] = [];
afterEach(() => { for (const c of caches.splice(0)) c.stop(); });

async function setup() {
  const server = new FakeApiServer();
  server.seed<Sandbox>(Resources.sandboxes, {
    apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', metadata: { name: 'sb', namespace: 'team-a' },
    spec: { podTemplate: { spec: { containers: [{ name: 'c', image: 'i' }] } } }, status: { podIPs: ['198.18.0.1'], conditions: [ready] },
  });
  const cache = new SandboxCache(server.client, { refreshIntervalMs: 0 });
  caches.push(cache);
  await cache.start();
  const moveTo = (ip: string) => server.mergePatch(Resources.sandboxes, 'team-a', 'sb', { status: { podIPs: [ip] } }, { subresource: 'status' });
  const ip = () => cache.lookup('team-a', 'sb')?.podIPs[0];
  return { server, cache, moveTo, ip };
}

test('watch events older than a refresh do not overwrite it; the read\'s own version hands the entry back to the watch', async () => {
  const { server, cache, moveTo, ip } = await setup();
  expect(ip()).toBe('198.18.0.1');
  server.holdWatch();
  await moveTo('198.18.0.2');
  await moveTo('198.18.0.3');
  expect((await cache.refresh('team-a', 'sb'))?.podIPs).toEqual(['198.18.0.3']);
  server.releaseWatch(1); // .2: older than the read
  expect(ip()).toBe('198.18.0.3');
  server.releaseWatch(); // .3: the read's own version
  expect(ip()).toBe('198.18.0.3');
  await moveTo('198.18.0.4');
  expect(ip()).toBe('198.18.0.4');
});

test('a refresh that finds the sandbox gone is not undone by a lagging update; the deletion ends the hold', async () => {
  const { server, cache, moveTo, ip } = await setup();
  server.holdWatch();
  await moveTo('198.18.0.2');
  await server.delete(Resources.sandboxes, 'team-a', 'sb');
  expect(await cache.refresh('team-a', 'sb')).toBeUndefined();
  server.releaseWatch();
  expect(ip()).toBeUndefined();
  expect(cache.ready()).toBe(true);
});
