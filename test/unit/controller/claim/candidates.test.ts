import type { Sandbox } from '../../../../lib/api/types';
import { Expectations } from '../../../../lib/controller-runtime/expectations';
import { sandboxClaimIndex } from '../../../../lib/controller/claim/bindings';
import { LABEL } from '../../../../lib/api/metadata-keys';
import type { SandboxWarmPool } from '../../../../lib/api/types';
import { adoptionBlocker, freshMembers, sandboxPoolIndex, SANDBOX_BY_POOL_INDEX, WarmCandidates } from '../../../../lib/controller/claim/candidates';
import { PoolWaiters } from '../../../../lib/controller/claim/pool-waiters';
import { Store } from '../../../../lib/kube/store';
import { member, template } from './fixtures';

const NOW = Date.parse('2026-03-01T10:00:00Z');

/** Warm candidates over a real store holding `items` (indexed by pool as the informer is), and their expectations. */
function candidatesOver(items: Sandbox[], timeoutMs?: number) {
  const sandboxes = new Store<Sandbox>({ [SANDBOX_BY_POOL_INDEX]: sandboxPoolIndex });
  for (const item of items) sandboxes.upsert(item);
  const expectations = new Expectations<Sandbox>(timeoutMs, () => NOW);
  return { candidates: new WarmCandidates({ sandboxes }, expectations), expectations };
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
    const { candidates } = candidatesOver(items);
    const picks = ['c1', 'c2', 'c3'].map((c) => candidates.reserve(c, 'team-a', 'pool', NOW));
    expect(picks.map((p) => p.member?.metadata.name)).toEqual(['m1', 'm2', undefined]);
    expect(picks[2].starting).toBe(1);
    // a failed adoption frees its member for the next claim
    candidates.release(items[0]);
    expect(candidates.reserve('c3', 'team-a', 'pool', NOW).member?.metadata.name).toBe('m1');
    // a member skipped in this pass is not offered again
    candidates.release(items[1]);
    expect(candidates.reserve('c2', 'team-a', 'pool', NOW, new Set(['m2'])).member).toBeUndefined();
  });

  test('under Recreate, members built from an older template are never offered; under OnReplenish they are', () => {
    const fresh = member('m1');
    const stale = member('m2');
    stale.spec.podTemplate.spec.containers[0].image = 'python:2';
    stale.metadata.labels![LABEL.templateHash] = 'old';
    const { candidates } = candidatesOver([stale, fresh]);
    const pool = (type: 'Recreate' | 'OnReplenish'): SandboxWarmPool => ({
      apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool', metadata: { name: 'pool', namespace: 'team-a' },
      spec: { sandboxTemplateRef: { name: 'python' }, updateStrategy: { type } },
    });
    const recreate = candidates.reserve('c1', 'team-a', 'pool', NOW, new Set(), freshMembers(pool('Recreate'), template()));
    expect(recreate.member?.metadata.name).toBe('m1');
    candidates.release(fresh);
    expect(candidates.reserve('c1', 'team-a', 'pool', NOW, new Set(), freshMembers(pool('OnReplenish'), template())).member?.metadata.name).toBe('m2');
    expect(freshMembers(pool('Recreate'), undefined)(stale)).toBe(true);
  });

  test('a reservation lasts until the cache shows the member left the pool', () => {
    const m = member('m1');
    const { candidates, expectations } = candidatesOver([m]);
    candidates.reserve('c1', 'team-a', 'pool', NOW);
    candidates.observe(m, false);
    expect(expectations.outstanding().reserved).toBe(1);
    const adopted = member('m1');
    delete adopted.metadata.labels!['agents.x-k8s.io/warm-pool-sandbox'];
    candidates.observe(adopted, false);
    expect(expectations.outstanding().reserved).toBe(0);
    candidates.reserve('c2', 'team-a', 'pool', NOW);
    candidates.observe(m, true); // deleted
    expect(expectations.outstanding().reserved).toBe(0);
  });

  test('a reservation whose outcome the cache never shows lapses after the timeout; a forgotten claim frees its member', () => {
    const { candidates } = candidatesOver([member('m1')], 1000);
    expect(candidates.reserve('c1', 'team-a', 'pool', NOW).member?.metadata.name).toBe('m1');
    expect(candidates.reserve('c2', 'team-a', 'pool', NOW + 1000).member).toBeUndefined();
    expect(candidates.reserve('c2', 'team-a', 'pool', NOW + 1001).member?.metadata.name).toBe('m1');
    const { candidates: other, expectations } = candidatesOver([member('m1')]);
    other.reserve('c1', 'team-a', 'pool', NOW);
    expectations.forget('c1');
    expect(other.reserve('c2', 'team-a', 'pool', NOW).member?.metadata.name).toBe('m1');
  });
});

describe('claim bindings', () => {
  test('issued writes are remembered until the cache shows the sandbox under the claim', () => {
    const bindings = new Expectations<Sandbox>(undefined, () => NOW);
    const s = member('m1');
    bindings.expectObject('uid-c1', s);
    expect(bindings.expectedObject('uid-c1')).toBe(s);
    // still pool-owned in the cache: no claim controls it, so nothing is observed for the claim
    expect(sandboxClaimIndex(s)).toEqual([]);
    expect(bindings.outstanding().issued).toBe(1);
    const owned = member('m1');
    owned.metadata.ownerReferences = [{ apiVersion: 'extensions.agents.x-k8s.io/v1alpha1', kind: 'SandboxClaim', name: 'c1', uid: 'uid-c1', controller: true }];
    expect(sandboxClaimIndex(owned)).toEqual(['uid-c1']);
    bindings.objectObserved('uid-c1', owned);
    expect(bindings.expectedObject('uid-c1')).toBeUndefined();
    bindings.outcomeUnknown('uid-c2', 'team-a', 'm2');
    expect(bindings.unknownOutcome('uid-c2')).toEqual({ namespace: 'team-a', name: 'm2' });
    bindings.forget('uid-c2');
    expect(bindings.outstanding()).toEqual({ issued: 0, unknown: 0, reserved: 0 });
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
