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
  test('serves our write until the cache shows that version or any version it did not show when we wrote', () => {
    const { cached, view } = setup();
    cached.set('ns/a', pod('a', '10', 'old'));
    view.wrote(pod('a', '12', 'patched'));
    expect(view.get('ns', 'a')?.metadata?.annotations?.note).toBe('patched');
    expect(view.byIndex('any', 'x').map((p) => p.metadata?.annotations?.note)).toEqual(['patched']);
    cached.set('ns/a', pod('a', '13', 'someone else'));
    expect(view.get('ns', 'a')?.metadata?.annotations?.note).toBe('someone else');
    expect(view.pending()).toBe(0);
  });

  test('a create the cache has not seen yet is visible; its delete event retires it', () => {
    const { view } = setup();
    view.wrote(pod('b', '20'));
    expect(view.get('ns', 'b')?.metadata?.resourceVersion).toBe('20');
    view.observed(pod('b', '25'));
    expect(view.get('ns', 'b')).toBeUndefined();
  });

  test('a write the watch never confirms is forgotten after a while', () => {
    const { view, advance } = setup();
    view.wrote(pod('c', '30'));
    advance(31_000);
    expect(view.get('ns', 'c')).toBeUndefined();
    expect(view.pending()).toBe(0);
  });
});
