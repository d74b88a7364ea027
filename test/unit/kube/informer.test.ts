// Informer loop logic over a scripted ListerWatcher: list -> watch from the listed version, resume from the last seen
// version, relist on 410, backoff on errors and early stream ends, handler isolation, indexes and the transform.
// (The same behaviour against a real API server is in test/cluster.)
import { ApiError, Backoff, Informer, type KubeObject, type ListerWatcher, type ObjectList, type WatchEvent } from '../../../lib/kube';

type Obj = KubeObject & { metadata: { name: string; namespace: string; resourceVersion: string; labels?: Record<string, string> } };
const obj = (name: string, rv: string, labels?: Record<string, string>): Obj =>
  ({ metadata: { name, namespace: 'ns', resourceVersion: rv, labels, managedFields: [{ manager: 'x' }] } as Obj['metadata'] });

type WatchScript = (emit: (e: WatchEvent<Obj>) => void, signal: AbortSignal) => Promise<void>;

class ScriptedLW implements ListerWatcher<Obj> {
  readonly calls: string[] = [];
  constructor(private readonly lists: ObjectList<Obj>[], private readonly watches: WatchScript[]) {}
  async list(rv: string) {
    this.calls.push(`list(${rv})`);
    return this.lists.shift()!;
  }
  async watch(rv: string, signal: AbortSignal, onEvent: (e: WatchEvent<Obj>) => void) {
    this.calls.push(`watch(${rv})`);
    const next = this.watches.shift();
    if (next) return next(onEvent, signal);
    // Out of script: block like an idle watch until stopped.
    await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
  }
}

const gone = () => new ApiError(410, { kind: 'Status', code: 410, reason: 'Expired' }, 'watch');
const until = async (cond: () => boolean) => { for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5)); };

describe('Informer', () => {
  it('lists, watches, resumes, relists on 410 and backs off on errors and early ends', async () => {
    const lw = new ScriptedLW(
      [
        { metadata: { resourceVersion: '10' }, items: [obj('a', '1'), obj('b', '2')] },
        { metadata: { resourceVersion: '30' }, items: [obj('a', '11'), obj('c', '25')] },
      ],
      [
        async (emit) => {
          emit({ type: 'ADDED', object: obj('c', '11') });
          emit({ type: 'MODIFIED', object: obj('a', '11') });
          emit({ type: 'BOOKMARK', object: obj('', '15') });
          throw gone();
        },
        async () => { throw new Error('connection reset'); },
        async () => undefined, // early end, no events
        async (emit) => { emit({ type: 'DELETED', object: obj('c', '31') }); },
      ],
    );
    const events: string[] = [];
    const informer = new Informer<Obj>(lw, { name: 'test', backoff: new Backoff(1, 5) });
    informer.addEventHandler({
      onAdd: (o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
      onUpdate: (old, o) => events.push(`update ${o.metadata.name}@${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
      onDelete: (o) => events.push(`delete ${o.metadata.name}`),
    });
    informer.addEventHandler({ onAdd: () => { throw new Error('bad handler'); } });
    const stop = new AbortController();
    const running = informer.start(stop.signal);
    await informer.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    await until(() => lw.calls.length >= 7);
    stop.abort();
    await running;
    expect(lw.calls).toEqual(['list(0)', 'watch(10)', 'list()', 'watch(30)', 'watch(30)', 'watch(30)', 'watch(31)']);
    expect(events).toEqual([
      'add a@1', 'add b@2',
      'add c@11', 'update a@1->11',
      // relist: c changed version, a did not, b vanished
      'update c@11->25', 'delete b',
      'delete c',
    ]);
    expect(informer.list().map((o) => o.metadata.name)).toEqual(['a']);
    expect(informer.get('ns', 'a')?.metadata.managedFields).toBeUndefined();
  });

  it('serves typed lookups: get, list by namespace and selector, custom indexes, late handler replay', async () => {
    const lw = new ScriptedLW([{ metadata: { resourceVersion: '5' }, items: [obj('a', '1', { app: 'x' }), obj('b', '2', { app: 'y' })] }], []);
    const informer = new Informer<Obj>(lw, { name: 'idx', indexers: { app: (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []) } });
    const stop = new AbortController();
    const running = informer.start(stop.signal);
    await informer.waitForSync();
    expect(informer.get('ns', 'b')?.metadata.resourceVersion).toBe('2');
    expect(informer.list('ns', { app: 'x' }).map((o) => o.metadata.name)).toEqual(['a']);
    expect(informer.list('other')).toEqual([]);
    expect(informer.byIndex('app', 'y').map((o) => o.metadata.name)).toEqual(['b']);
    informer.addIndex('name', (o) => [o.metadata.name]);
    expect(informer.byIndex('name', 'a')).toHaveLength(1);
    const replayed: string[] = [];
    informer.addEventHandler({ onAdd: (o) => replayed.push(o.metadata.name) });
    expect(replayed.sort()).toEqual(['a', 'b']);
    expect(() => informer.byIndex('nope', 'x')).toThrow(/unknown index/);
    stop.abort();
    await running;
  });

  it('retries a failing list with backoff and only reports synced after it succeeds', async () => {
    let failures = 2;
    const lw: ListerWatcher<Obj> = {
      list: async () => {
        if (failures-- > 0) throw new Error('apiserver down');
        return { metadata: { resourceVersion: '1' }, items: [] };
      },
      watch: (_rv, signal) => new Promise<void>((r) => signal.addEventListener('abort', () => r())),
    };
    const informer = new Informer<Obj>(lw, { name: 'retry', backoff: new Backoff(1, 5) });
    const stop = new AbortController();
    const running = informer.start(stop.signal);
    expect(informer.hasSynced()).toBe(false);
    await informer.waitForSync();
    expect(failures).toBe(-1);
    stop.abort();
    await running;
  });
});
