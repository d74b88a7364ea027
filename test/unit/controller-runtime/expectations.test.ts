// Expectations keyed by owner: a pool's pending creations and deletions, an owner's issued object awaiting the
// cache, an outcome unknown, and reservations — each bounded by the timeout, so a lost watch event never wedges an owner.
import type { KubeObject } from '../../../lib/kube/types';
import { Expectations } from '../../../lib/controller-runtime/expectations';

const object = (name: string, uid = `uid-${name}`): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', uid } });

describe('Expectations: creations and deletions', () => {
  it('refuses new creations until every expected create and delete is observed', () => {
    let now = 0;
    const e = new Expectations(1000, () => now);
    expect(e.tryExpectCreations('p', 2)).toBe(true);
    expect(e.tryExpectCreations('p', 1)).toBe(false);
    e.creationObserved('p');
    expect(e.satisfied('p')).toBe(false);
    e.creationObserved('p');
    e.expectDeletion('p', 'u1');
    expect(e.isDeletionPending('p', 'u1')).toBe(true);
    expect(e.tryExpectCreations('p', 1)).toBe(false);
    e.deletionObserved('p', 'u1');
    expect(e.tryExpectCreations('p', 1)).toBe(true);
    now = 1001; // a lost watch event must not wedge the pool
    expect(e.satisfied('p')).toBe(true);
    expect(e.tryExpectCreations('p', 3)).toBe(true);
    expect(e.pending('p')).toEqual({ creations: 3, deletions: 0 });
  });
});

describe('Expectations: issued objects, unknown outcomes, reservations', () => {
  it('serves an issued object until the cache shows it; one unseen past the timeout becomes an unknown outcome', () => {
    let now = 0;
    const e = new Expectations(1000, () => now);
    const issued = object('a');
    e.outcomeUnknown('owner', 'ns', 'a');
    e.expectObject('owner', issued);
    expect(e.unknownOutcome('owner')).toBeUndefined(); // the write that answered settles it
    e.objectObserved('owner', object('b'));
    expect(e.expectedObject('owner')).toBe(issued);
    e.objectObserved('owner', object('a'));
    expect(e.expectedObject('owner')).toBeUndefined();
    expect(e.outstanding()).toEqual({ issued: 0, unknown: 0, reserved: 0 });

    e.expectObject('owner', issued);
    now = 1000;
    expect(e.expectedObject('owner')).toBe(issued);
    now = 1001; // the cache never showed it: check it live rather than trust or drop it
    expect(e.expectedObject('owner')).toBeUndefined();
    expect(e.unknownOutcome('owner')).toEqual({ namespace: 'ns', name: 'a' });
    e.outcomeResolved('owner');
    expect(e.outstanding()).toEqual({ issued: 0, unknown: 0, reserved: 0 });
  });

  it('hands a reserved object to one owner at a time until released, lapsed or its owner is forgotten', () => {
    const e = new Expectations(1000, () => 0);
    expect(e.tryReserve('c1', 'ns/a', 0)).toBe(true);
    expect(e.tryReserve('c2', 'ns/a', 0)).toBe(false);
    expect(e.tryReserve('c2', 'ns/b', 0)).toBe(true);
    e.release('ns/a');
    expect(e.tryReserve('c2', 'ns/a', 0)).toBe(true);
    expect(e.tryReserve('c1', 'ns/a', 1000)).toBe(false);
    expect(e.tryReserve('c1', 'ns/a', 1001)).toBe(true); // lapsed: a lost event does not hold it forever
    expect(e.outstanding().reserved).toBe(2);
    e.forget('c2');
    expect(e.outstanding().reserved).toBe(1);
    expect(e.tryReserve('c3', 'ns/b', 0)).toBe(true);
  });
});
