// TokenBucket: burst, refill rate and debt, on a driven clock.
import { TokenBucket } from '../../../lib/kube';

describe('TokenBucket', () => {
  it('allows a burst, then spaces requests at 1/qps', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect(bucket.reserve()).toBeCloseTo(100);
    expect(bucket.reserve()).toBeCloseTo(200);
    now = 1000; // refills 10 tokens, but the debt of 2 and the cap of 3 bound it
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBeCloseTo(100);
  });
  it('rejects nonsensical settings', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(/qps/);
    expect(() => new TokenBucket(5, 0)).toThrow(/burst/);
  });
  it('take() waits for a token in real time', async () => {
    const bucket = new TokenBucket(50, 1);
    await bucket.take();
    const t0 = performance.now();
    await bucket.take();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
  });
});
