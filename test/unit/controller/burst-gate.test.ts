// BurstGate on Jest's clock: background work is held while claims arrive and woken once (by the gate's timer, not by
// polling) when they pause or its bound passes; asking again then lets it through. A disabled gate holds nothing.
import { BurstGate } from '../../../lib/controller/burst-gate';

function gate(quietMs = 250, maxDeferralMs = 2000) {
  const g = new BurstGate({ quietMs, maxDeferralMs });
  const woken: string[] = [];
  const holds = (key: string) => g.holds(key, 'test', () => woken.push(key));
  return { g, holds, woken };
}

describe('BurstGate', () => {
  beforeEach(() => jest.useFakeTimers({ now: 10_000 }));
  afterEach(() => jest.useRealTimers());

  it('lets work through when no claim arrived', () => {
    expect(gate().holds('k')).toBe(false);
  });

  it('holds work while claims arrive and wakes it once they have paused for the quiet period', () => {
    const { g, holds, woken } = gate();
    g.claimArrived();
    jest.advanceTimersByTime(100);
    expect(holds('k')).toBe(true);
    g.claimArrived(); // the burst goes on: the quiet period restarts
    jest.advanceTimersByTime(249);
    expect(woken).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(woken).toEqual(['k']);
    expect(holds('k')).toBe(false);
    jest.advanceTimersByTime(5000);
    expect(woken).toEqual(['k']); // woken once
  });

  it('wakes each piece of work at its bound, counted from when it was first held, while claims keep coming', () => {
    const { g, holds, woken } = gate(250, 1000);
    g.claimArrived();
    expect(holds('a')).toBe(true);
    for (let t = 0; t < 600; t += 200) {
      jest.advanceTimersByTime(200);
      g.claimArrived();
      expect(holds('a')).toBe(true); // asking again does not restart the bound
    }
    expect(holds('b')).toBe(true); // newly held work starts its own bound
    jest.advanceTimersByTime(200);
    g.claimArrived();
    jest.advanceTimersByTime(200);
    g.claimArrived();
    expect(woken).toEqual(['a']);
    expect(holds('a')).toBe(false); // let through mid-burst
    expect(holds('b')).toBe(true);
  });

  it('starts a fresh bound for work held again after it went through', () => {
    const { g, holds, woken } = gate(250, 500);
    g.claimArrived();
    holds('a');
    jest.advanceTimersByTime(200);
    g.claimArrived();
    jest.advanceTimersByTime(200);
    g.claimArrived();
    jest.advanceTimersByTime(100);
    expect(woken).toEqual(['a']); // its bound
    g.claimArrived();
    expect(holds('a')).toBe(false);
    expect(holds('a')).toBe(true);
    jest.advanceTimersByTime(249);
    expect(woken).toEqual(['a']); // the quiet period (250 ms) comes before the new bound (500 ms)
    jest.advanceTimersByTime(1);
    expect(woken).toEqual(['a', 'a']);
  });

  it('forgets work whose object is gone: it is not woken', () => {
    const { g, holds, woken } = gate(250, 500);
    g.claimArrived();
    holds('a');
    g.forget('a');
    jest.advanceTimersByTime(1000);
    expect(woken).toEqual([]);
  });

  it('wakes work with the callback it last asked with', () => {
    const g = new BurstGate({ quietMs: 250, maxDeferralMs: 2000 });
    const calls: string[] = [];
    g.claimArrived();
    g.holds('k', 'test', () => calls.push('first'));
    g.holds('k', 'test', () => calls.push('second'));
    jest.advanceTimersByTime(250);
    expect(calls).toEqual(['second']);
  });

  it('never holds anything back when disabled', () => {
    const g = BurstGate.open();
    g.claimArrived();
    expect(g.holds('k', 'test', () => undefined)).toBe(false);
  });

  it('reports each piece of work once, by kind, when it is first held back', () => {
    const held: string[] = [];
    const g = new BurstGate({ quietMs: 250, maxDeferralMs: 2000, onHold: (work) => held.push(work) });
    g.claimArrived();
    g.holds('sandboxwarmpool:ns/pool', 'refill', () => undefined);
    jest.advanceTimersByTime(100);
    g.holds('sandboxwarmpool:ns/pool', 'refill', () => undefined);
    g.holds('sandbox:ns/box', 'pod-metadata', () => undefined);
    expect(held).toEqual(['refill', 'pod-metadata']);
  });
});
