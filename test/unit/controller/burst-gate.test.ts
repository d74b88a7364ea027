// BurstGate on an injected clock: background work waits while claims arrive, goes once they pause, and never waits
// longer than the bound; a disabled gate never holds anything back.
import { BurstGate } from '../../../lib/controller/burst-gate';

function gate(quietMs = 250, maxDeferralMs = 2000) {
  let clock = 10_000;
  const g = new BurstGate({ quietMs, maxDeferralMs, now: () => clock });
  return { g, advance: (ms: number) => { clock += ms; } };
}

describe('BurstGate', () => {
  it('lets work through when no claim arrived', () => {
    expect(gate().g.wait('k')).toBe(0);
  });

  it('holds work until claims have paused for the quiet period', () => {
    const { g, advance } = gate();
    g.claimArrived();
    advance(100);
    expect(g.wait('k')).toBe(150);
    advance(150);
    expect(g.wait('k')).toBe(0);
  });

  it('bounds the wait of each piece of work from when it was first held', () => {
    const { g, advance } = gate(250, 1000);
    g.claimArrived();
    expect(g.wait('a')).toBe(250);
    for (let i = 0; i < 3; i++) {
      advance(200);
      g.claimArrived();
      expect(g.wait('a')).toBe(250);
    }
    expect(g.wait('b')).toBe(250); // newly held work starts its own bound
    advance(300);
    g.claimArrived();
    expect(g.wait('a')).toBe(100); // the bound is nearer than the quiet period
    advance(100);
    g.claimArrived();
    expect(g.wait('a')).toBe(0);
    expect(g.wait('b')).toBe(250);
  });

  it('starts a fresh bound for work held again after it went through', () => {
    const { g, advance } = gate(250, 500);
    g.claimArrived();
    g.wait('a');
    advance(500);
    g.claimArrived();
    expect(g.wait('a')).toBe(0);
    expect(g.wait('a')).toBe(250);
  });

  it('forgets work whose object is gone', () => {
    const { g, advance } = gate(250, 500);
    g.claimArrived();
    g.wait('a');
    g.forget('a');
    advance(400);
    g.claimArrived();
    expect(g.wait('a')).toBe(250);
  });

  it('never holds anything back when disabled', () => {
    const g = BurstGate.open();
    g.claimArrived();
    expect(g.wait('k')).toBe(0);
  });

  it('reports each piece of work once, by kind, when it is first held back', () => {
    let clock = 0;
    const held: string[] = [];
    const g = new BurstGate({ quietMs: 250, maxDeferralMs: 2000, now: () => clock, onHold: (work) => held.push(work) });
    g.claimArrived();
    g.wait('refill:ns/pool');
    clock += 100;
    g.wait('refill:ns/pool');
    g.wait('pod-metadata:ns/box');
    expect(held).toEqual(['refill', 'pod-metadata']);
  });
});
