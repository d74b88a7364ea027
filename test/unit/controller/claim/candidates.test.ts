import type { Sandbox } from '../../../../lib/api/types';
import { ClaimBindings, sandboxClaimIndex } from '../../../../lib/controller/claim/bindings';
import { LABEL } from '../../../../lib/api/metadata-keys';
import type { SandboxWarmPool } from '../../../../lib/api/types';
import { adoptionBlocker, freshMembers, sandboxPoolIndex, SANDBOX_BY_POOL_INDEX, WarmCandidates } from '../../../../lib/controller/claim/candidates';
import { PoolWaiters } from '../../../../lib/controller/claim/pool-waiters';
import { member, template } from './fixtures';

/** A cache holding `items`, answering the pool index the way the informer index would. */
function cacheOf(items: Sandbox[]) {
  return {
    sandboxes: {
      get: (ns: string, name: string) => items.find((s) => s.metadata.namespace === ns && s.metadata.name === name),
      byIndex: (index: string, value: string) => (index === SANDBOX_BY_POOL_INDEX ? items.filter((s) => sandboxPoolIndex(s).includes(value)) : []),
    },
  };
}

describe('warm candidates', () => {
  test('only Ready, networked, pool-controlled members are adoptable', () => {
    expect(adoptionBlocker(member('a'), 'pool')).toBeUndefined();
    expect(adoptionBlocker(member('a', { ip: false }), 'pool')).toBe('no-ip');
    expect(adoptionBlocker(member('a', { ready: false }), 'pool')).toBe('unready');
    expect(adoptionBlocker(member('a', { pool: 'other' }), 'pool')).toBe('foreign');
    const alive = member('a');
    const deleting = { ...alive, metadata: { ...alive.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    expect(adoptionBlocker(deleting, 'pool')).toBe('foreign');
    const claimed = member('a');
    claimed.metadata.ownerReferences = [{ apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim', name: 'c', uid: 'u', controller: true }];
    expect(adoptionBlocker(claimed, 'pool')).toBe('foreign');
  });

  test('concurrent reservations hand out distinct members until none is left', () => {
    const items = [member('m1'), member('m2'), member('m3', { ip: false })];
    const candidates = new WarmCandidates(cacheOf(items));
    const picks = [candidates.reserve('team-a', 'pool'), candidates.reserve('team-a', 'pool'), candidates.reserve('team-a', 'pool')];
    expect(picks.map((p) => p.member?.metadata.name)).toEqual(['m1', 'm2', undefined]);
    expect(picks[2].starting).toBe(1);
    // a failed adoption frees its member for the next claim
    candidates.release(items[0]);
    expect(candidates.reserve('team-a', 'pool').member?.metadata.name).toBe('m1');
    // a member skipped in this pass is not offered again
    candidates.release(items[1]);
    expect(candidates.reserve('team-a', 'pool', new Set(['m2'])).member).toBeUndefined();
  });

  test('under Recreate, members built from an older template are never offered; under OnReplenish they are', () => {
    const fresh = member('m1');
    const stale = member('m2');
    stale.spec.podTemplate.spec.containers[0].image = 'python:2';
    stale.metadata.labels![LABEL.templateHash] = 'old';
    const candidates = new WarmCandidates(cacheOf([stale, fresh]));
    const pool = (type: 'Recreate' | 'OnReplenish'): SandboxWarmPool => ({
      apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool', metadata: { name: 'pool', namespace: 'team-a' },
      spec: { sandboxTemplateRef: { name: 'python' }, updateStrategy: { type } },
    });
    const recreate = candidates.reserve('team-a', 'pool', new Set(), freshMembers(pool('Recreate'), template()));
    expect(recreate.member?.metadata.name).toBe('m1');
    candidates.release(fresh);
    expect(candidates.reserve('team-a', 'pool', new Set(), freshMembers(pool('OnReplenish'), template())).member?.metadata.name).toBe('m2');
    expect(freshMembers(pool('Recreate'), undefined)(stale)).toBe(true);
  });

  test('a reservation lasts until the cache shows the member left the pool', () => {
    const m = member('m1');
    const candidates = new WarmCandidates(cacheOf([m]));
    candidates.reserve('team-a', 'pool');
    candidates.observe('team-a/m1', m);
    expect(candidates.reservations()).toBe(1);
    const adopted = member('m1');
    delete adopted.metadata.labels!['agents.x-k8s.io/warm-pool-sandbox'];
    candidates.observe('team-a/m1', adopted);
    expect(candidates.reservations()).toBe(0);
  });
});

describe('claim bindings', () => {
  test('issued writes are remembered until the cache shows the sandbox under the claim', () => {
    const bindings = new ClaimBindings();
    const s = member('m1');
    bindings.recordIssued('uid-c1', s);
    expect(bindings.issuedFor('uid-c1')).toBe(s);
    bindings.observe(s); // still pool-owned in the cache: not yet observed
    expect(bindings.pending()).toBe(1);
    const owned = member('m1');
    owned.metadata.ownerReferences = [{ apiVersion: 'extensions.agents.x-k8s.io/v1alpha1', kind: 'SandboxClaim', name: 'c1', uid: 'uid-c1', controller: true }];
    expect(sandboxClaimIndex(owned)).toEqual(['uid-c1']);
    bindings.observe(owned);
    expect(bindings.issuedFor('uid-c1')).toBeUndefined();
    bindings.recordUnknown('uid-c2', 'team-a', 'm2');
    expect(bindings.unknownFor('uid-c2')).toEqual({ namespace: 'team-a', name: 'm2' });
    bindings.forget('uid-c2');
    expect(bindings.pending()).toBe(0);
  });

  test('waiters are woken once per pool', () => {
    const waiters = new PoolWaiters();
    waiters.wait('ns', 'p', 'ns/c1');
    waiters.wait('ns', 'p', 'ns/c2');
    waiters.wait('ns', 'q', 'ns/c3');
    expect(waiters.wake('ns', 'p')).toEqual(['ns/c1', 'ns/c2']);
    expect(waiters.wake('ns', 'p')).toEqual([]);
    expect(waiters.size()).toBe(1);
  });
});
