import { failures } from '../../../../lib/controller/claim/failure';
import { claimExpiry, desiredClaimStatus, statusEqual } from '../../../../lib/controller/claim/status';
import { claim, member } from './fixtures';

const now = new Date('2026-03-01T00:00:00Z');

describe('claim expiry', () => {
  test('no lifecycle, no expiry; shutdownTime alone', () => {
    expect(claimExpiry(claim())).toBeUndefined();
    expect(claimExpiry(claim({ lifecycle: { shutdownTime: '2026-03-01T00:00:10Z' } }))).toBe(Date.parse('2026-03-01T00:00:10Z'));
  });

  test('ttl counts from the LTT of the claim copy of Finished=True and the earlier deadline wins', () => {
    const c = claim({ lifecycle: { ttlSecondsAfterFinished: 30, shutdownTime: '2026-03-01T01:00:00Z' } });
    expect(claimExpiry(c)).toBe(Date.parse('2026-03-01T01:00:00Z'));
    c.status = { conditions: [{ type: 'Finished', status: 'True', reason: 'PodSucceeded', message: '', lastTransitionTime: '2026-03-01T00:00:00Z' }] };
    expect(claimExpiry(c)).toBe(Date.parse('2026-03-01T00:00:30Z'));
    c.status.conditions![0].status = 'False';
    expect(claimExpiry(c)).toBe(Date.parse('2026-03-01T01:00:00Z'));
  });
});

describe('claim status', () => {
  test('Ready is copied from the sandbox with the claim generation; name and IPs recorded', () => {
    const s = member('pool-x');
    const status = desiredClaimStatus({ claim: claim(), sandbox: s, now });
    expect(status).toEqual({
      conditions: [{ type: 'Ready', status: 'True', reason: 'DependenciesReady', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 }],
      sandbox: { name: 'pool-x', podIPs: ['127.0.10.1'] },
    });
  });

  test('failures become Ready=False with their reason; a transient failure keeps the binding', () => {
    const c = claim();
    c.status = { sandbox: { name: 'pool-x', podIPs: ['127.0.0.9'] } };
    const status = desiredClaimStatus({ claim: c, failure: failures.reconciler('boom'), now });
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'False', reason: 'ReconcilerError', message: 'Error seen: boom' })]);
    expect(status.sandbox).toEqual({ name: 'pool-x', podIPs: ['127.0.0.9'] });
    expect(desiredClaimStatus({ claim: claim(), failure: failures.warmPoolNotFound('p'), now }).conditions![0])
      .toMatchObject({ reason: 'WarmPoolNotFound', message: 'SandboxWarmPool "p" not found' });
  });

  test('a sandbox without Ready yet reports SandboxNotReady; Finished is copied and later dropped', () => {
    const s = member('c1');
    s.status!.conditions = [{ type: 'Finished', status: 'True', reason: 'PodSucceeded', message: '', lastTransitionTime: '2026-02-01T00:00:00Z' }];
    const c = claim();
    c.status = desiredClaimStatus({ claim: c, sandbox: s, now });
    expect(c.status.conditions!.map((x) => `${x.type}=${x.status}/${x.reason}`)).toEqual(['Finished=True/PodSucceeded', 'Ready=False/SandboxNotReady']);
    s.status!.conditions = [];
    expect(desiredClaimStatus({ claim: c, sandbox: s, now }).conditions!.map((x) => x.type)).toEqual(['Ready']);
    // the sandbox is gone: the Finished copy stays (it is the TTL clock)
    expect(desiredClaimStatus({ claim: c, expired: true, now }).conditions!.map((x) => `${x.type}/${x.reason}`)).toEqual(['Finished/PodSucceeded', 'Ready/ClaimExpired']);
  });

  test('statusEqual ignores condition order and sees binding changes', () => {
    const a = { type: 'A', status: 'True', reason: 'r', message: '', lastTransitionTime: 't' };
    const b = { type: 'B', status: 'True', reason: 'r', message: '', lastTransitionTime: 't' };
    expect(statusEqual({ conditions: [a, b] }, { conditions: [b, a] })).toBe(true);
    expect(statusEqual({ conditions: [a] }, { conditions: [a], sandbox: { name: 'x' } })).toBe(false);
  });
});
