import type { Pod } from 'kubernetes-types/core/v1';
import { ReadYourWrites } from '../../../lib/controller-runtime/read-your-writes';

const pod = (name: string, resourceVersion: string, note = ''): Pod => ({ metadata: { name, namespace: 'ns', resourceVersion, annotations: { note } } });

function setup() {
  const cached = new Map<string, Pod>();
  let now = 0;
  const view = new ReadYourWrites<Pod>({
    get: (ns, name) => cached.get(`${ns}/${name}`),
    byIndex: () => [...cached.values()],
  }, () => now);
  return { cached, view, advance: (ms: number) => { now += ms; } };
}

describe('ReadYourWrites', () => {
  test('serves our write until the cache shows that version or any version it did not show when we wrote', async () => {
    const { cached, view } = setup();
    cached.set('ns/a', pod('a', '10', 'old'));
    await view.write('ns', 'a', async () => pod('a', '12', 'patched'));
    expect(view.get('ns', 'a')?.metadata?.annotations?.note).toBe('patched');
    expect(view.byIndex('any', 'x').map((p) => p.metadata?.annotations?.note)).toEqual(['patched']);
    cached.set('ns/a', pod('a', '13', 'someone else'));
    expect(view.get('ns', 'a')?.metadata?.annotations?.note).toBe('someone else');
    expect(view.pending()).toBe(0);
  });

  test('a create the cache has not seen yet is visible; its delete event retires it', async () => {
    const { view } = setup();
    await view.write('ns', 'b', async () => pod('b', '20'));
    expect(view.get('ns', 'b')?.metadata?.resourceVersion).toBe('20');
    view.observed(pod('b', '25'));
    expect(view.get('ns', 'b')).toBeUndefined();
  });

  test('a create whose delete event arrived before its response is not served', async () => {
    const { view } = setup();
    const created = { ...pod('e', '40'), metadata: { ...pod('e', '40').metadata, uid: 'uid-e' } };
    await view.write('ns', 'e', async () => {
      view.observed({ ...created, metadata: { ...created.metadata, resourceVersion: '41' } }); // the watch was faster
      return created;
    });
    expect(view.get('ns', 'e')).toBeUndefined();
    expect(view.pending()).toBe(0);
  });

  test('a write the watch never confirms is forgotten after a while', async () => {
    const { view, advance } = setup();
    await view.write('ns', 'c', async () => pod('c', '30'));
    advance(31_000);
    expect(view.get('ns', 'c')).toBeUndefined();
    expect(view.pending()).toBe(0);
  });

  test('a watch that delivered our version and a newer one before the write returned does not make ours stick', async () => {
    const { cached, view } = setup();
    cached.set('ns/d', pod('d', '40', 'pending'));
    await view.write('ns', 'd', async () => {
      const ours = pod('d', '41', 'ours');
      cached.set('ns/d', pod('d', '42', 'running')); // the watch raced the response
      return ours;
    });
    expect(view.get('ns', 'd')?.metadata?.annotations?.note).toBe('running');
  });

  test('two writes in a row: the cache showing the first does not retire the second', async () => {
    const { cached, view } = setup();
    cached.set('ns/e', pod('e', '50', 'old'));
    await view.write('ns', 'e', async () => pod('e', '51', 'annotated'));
    await view.write('ns', 'e', async () => pod('e', '52', 'status written'));
    cached.set('ns/e', pod('e', '51', 'annotated'));
    expect(view.get('ns', 'e')?.metadata?.annotations?.note).toBe('status written');
    cached.set('ns/e', pod('e', '52', 'status written'));
    expect(view.get('ns', 'e')?.metadata?.annotations?.note).toBe('status written');
    expect(view.pending()).toBe(0);
  });
});
