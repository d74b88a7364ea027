// WorkQueue: de-duplication, exclusive processing, re-queue when dirtied, delays, rate limiting and drain.
import { BucketLimiter, ExponentialBackoffLimiter, MaxOfLimiter, WorkQueue, defaultControllerRateLimiter } from '../../../lib/controller-runtime';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('coalesces repeated adds of a waiting key', async () => {
    const q = new WorkQueue('t');
    q.add('a'); q.add('b'); q.add('a'); q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands a key to two workers and re-queues it on done() when dirtied meanwhile', async () => {
    const q = new WorkQueue('t');
    q.add('a');
    const key = await q.get();
    q.add('a'); // dirtied while processing
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => { second = k; });
    await tick();
    expect(second).toBeUndefined(); // still blocked: 'a' is in flight
    q.done(key!);
    await tick();
    expect(second).toBe('a');
  });

  it('hands keys to waiting workers in FIFO order', async () => {
    const q = new WorkQueue('t');
    const got = Promise.all([q.get(), q.get()]);
    q.add('x'); q.add('y');
    expect(await got).toEqual(['x', 'y']);
  });

  it('addAfter delays and keeps the earliest deadline', async () => {
    const q = new WorkQueue('t');
    q.addAfter('a', 200);
    q.addAfter('a', 20); // earlier wins
    q.addAfter('a', 500); // later is ignored
    expect(q.len()).toBe(0);
    await tick(60);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    await tick(250);
    expect(q.len()).toBe(0); // the 200 ms timer was replaced, not duplicated
  });

  it('addRateLimited backs off exponentially per key; forget resets it', async () => {
    const q = new WorkQueue('t', { rateLimiter: new ExponentialBackoffLimiter(10, 1000) });
    q.addRateLimited('a'); // 10ms
    q.addRateLimited('a'); // 20ms (earlier 10ms deadline kept)
    expect(q.numRequeues('a')).toBe(2);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    await tick(40);
    expect(await q.get()).toBe('a');
  });

  it('shutdown releases idle workers; drain waits for in-flight keys', async () => {
    const q = new WorkQueue('t');
    q.add('a');
    const k = await q.get();
    const idle = q.get();
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => { drained = true; });
    expect(await idle).toBeUndefined();
    q.add('b');
    expect(q.len()).toBe(0); // no adds after shutdown
    await tick();
    expect(drained).toBe(false);
    q.done(k!);
    await drain;
    expect(drained).toBe(true);
  });

  it('reports metrics hooks', async () => {
    const seen: string[] = [];
    const q = new WorkQueue('m', { observer: { added: () => seen.push('add'), queued: () => seen.push('queued'), worked: () => seen.push('worked') } });
    q.add('a');
    q.done((await q.get())!);
    expect(seen).toEqual(['add', 'queued', 'worked']);
  });
});

describe('rate limiters', () => {
  it('exponential backoff doubles from the base up to the cap', () => {
    const l = new ExponentialBackoffLimiter(5, 1_000_000);
    const delays = Array.from({ length: 20 }, () => l.when('k'));
    expect(delays.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(delays[19]).toBe(1_000_000);
    expect(l.when('other')).toBe(5);
  });
  it('bucket limiter throttles all keys together after the burst', () => {
    let now = 0;
    const l = new BucketLimiter(10, 2, () => now);
    expect([l.when(), l.when(), l.when()]).toEqual([0, 0, 100]);
  });
  it('default limiter takes the max of both parts', () => {
    const l = new MaxOfLimiter(new ExponentialBackoffLimiter(5, 1000), new BucketLimiter(10, 1, () => 0));
    expect(l.when('a')).toBe(5);
    expect(l.when('b')).toBe(100); // bucket exhausted
    expect(defaultControllerRateLimiter().when('x')).toBe(5);
  });
});
