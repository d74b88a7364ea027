// KubeClient request shaping (verbs, paths, content types, preconditions), counters, limiter and watch decoding,
// driven through a scripted transport (the wire behaviour is covered by the cluster tests).
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { ApiError, KubeClient, Resources, type HttpTransport, type RequestSpec, type WatchEvent } from '../../../lib/kube';

class ScriptedTransport implements HttpTransport {
  readonly sent: RequestSpec[] = [];
  stream = new PassThrough();
  constructor(private readonly answer: (spec: RequestSpec) => { code: number; body: string } = () => ({ code: 200, body: '{"metadata":{}}' })) {}
  async request(spec: RequestSpec) {
    this.sent.push(spec);
    const res = this.answer(spec);
    if (res.code >= 300) throw ApiError.fromBody(res.code, res.body, spec.path);
    return res;
  }
  async openStream(spec: RequestSpec) {
    this.sent.push(spec);
    // The decoder reads the response only as a byte stream; a PassThrough stands in for the socket.
    return this.stream as unknown as IncomingMessage;
  }
  close() {}
}

describe('KubeClient', () => {
  it('shapes writes: merge patch with resourceVersion precondition, apply, status, delete options', async () => {
    const t = new ScriptedTransport();
    const c = new KubeClient(t);
    await c.mergePatch(Resources.sandboxes, 'ns', 's1', { metadata: { labels: { a: 'b' } } }, { resourceVersion: '42', subresource: 'status' });
    await c.apply(Resources.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name: 'p' } }, { fieldManager: 'ask', force: true });
    await c.updateStatus(Resources.sandboxes, { metadata: { namespace: 'ns', name: 's1' } });
    await c.delete(Resources.persistentVolumeClaims, 'ns', 'v', { propagationPolicy: 'Background', preconditions: { uid: 'u1' } });
    await c.list(Resources.pods, { namespace: 'ns', labelSelector: 'a=b', fieldSelector: 'spec.nodeName=n' });
    expect(t.sent[0]).toMatchObject({
      method: 'PATCH', path: '/apis/agents.x-k8s.io/v1beta1/namespaces/ns/sandboxes/s1/status', contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { a: 'b' }, resourceVersion: '42' } },
    });
    expect(t.sent[1]).toMatchObject({ method: 'PATCH', contentType: 'application/apply-patch+yaml', query: { fieldManager: 'ask', force: true } });
    expect(t.sent[2]).toMatchObject({ method: 'PUT', path: '/apis/agents.x-k8s.io/v1beta1/namespaces/ns/sandboxes/s1/status' });
    expect(t.sent[3]).toMatchObject({ method: 'DELETE', body: { kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid: 'u1' } } });
    expect(t.sent[4]).toMatchObject({ path: '/api/v1/namespaces/ns/pods', query: { labelSelector: 'a=b', fieldSelector: 'spec.nodeName=n' } });
    expect(c.requestCounts()).toMatchObject({ patch: 1, apply: 1, update: 1, delete: 1, list: 1, get: 0 });
    expect(c.totalRequests()).toBe(5);
  });

  it('reports every request to observers, with the error code on failure', async () => {
    const c = new KubeClient(new ScriptedTransport(() => ({ code: 404, body: '{"kind":"Status","reason":"NotFound","code":404}' })));
    const seen: unknown[] = [];
    c.onRequest((r) => seen.push([r.verb, r.resource, r.code]));
    await expect(c.get(Resources.pods, 'ns', 'x')).rejects.toMatchObject({ code: 404, reason: 'NotFound' });
    expect(await c.getOrUndefined(Resources.pods, 'ns', 'x')).toBeUndefined();
    expect(seen).toEqual([['get', 'pods', 404], ['get', 'pods', 404]]);
  });

  it('applies the QPS limiter when qps > 0 and not when negative', async () => {
    const limited = new KubeClient(new ScriptedTransport(), { qps: 20, burst: 2 });
    let t0 = performance.now();
    for (let i = 0; i < 6; i++) await limited.get(Resources.pods, 'ns', 'p');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(180); // 4 requests beyond the burst at 50 ms each
    const unlimited = new KubeClient(new ScriptedTransport(), { qps: -1, burst: 2 });
    t0 = performance.now();
    for (let i = 0; i < 50; i++) await unlimited.get(Resources.pods, 'ns', 'p');
    expect(performance.now() - t0).toBeLessThan(150);
  });

  it('decodes watch events split across chunks and turns ERROR events into ApiError', async () => {
    const t = new ScriptedTransport();
    const c = new KubeClient(t);
    const events: WatchEvent[] = [];
    const done = c.watch(Resources.pods, { namespace: 'ns', resourceVersion: '5', allowWatchBookmarks: true }, (e) => events.push(e));
    await new Promise((r) => setImmediate(r));
    t.stream.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"6"}}}\n{"type":"MODI');
    t.stream.write('FIED","object":{"metadata":{"name":"a","resourceVersion":"7"}}}\n');
    t.stream.write('{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}}\n');
    await expect(done).rejects.toMatchObject({ code: 410, reason: 'Expired' });
    expect(events.map((e) => [e.type, e.object.metadata?.resourceVersion])).toEqual([['ADDED', '6'], ['MODIFIED', '7']]);
    expect(t.sent[0].query).toMatchObject({ watch: true, resourceVersion: '5', allowWatchBookmarks: true });
    expect(c.requestCounts().watch).toBe(1);
  });

  it('resolves when the server ends the watch', async () => {
    const t = new ScriptedTransport();
    const c = new KubeClient(t);
    const done = c.watch(Resources.pods, {}, () => undefined);
    await new Promise((r) => setImmediate(r));
    t.stream.end('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}\n');
    await expect(done).resolves.toBeUndefined();
  });
});
