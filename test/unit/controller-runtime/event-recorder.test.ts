// KubeEventRecorder: Events go out at once normally, wait (in order, with the time they happened) while a burst of
// claims is being served, and go out at once when flushed (shutdown).
import type { Event as CoreEvent } from 'kubernetes-types/core/v1';
import { BurstGate } from '../../../lib/controller/burst-gate';
import { KubeEventRecorder } from '../../../lib/controller-runtime/event-recorder';
import { FakeApiServer } from '../../support/fake-api-server';

const claim = { apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim', metadata: { name: 'c1', namespace: 'ns', uid: 'u1' } };

function setup() {
  const server = new FakeApiServer();
  /** The Events sent so far, in order. */
  const sent = () => server.writes.filter((w) => w.plural === 'events' && w.verb === 'create').map((w) => w.body as CoreEvent);
  const gate = new BurstGate({ quietMs: 250, maxDeferralMs: 5000 });
  const recorder = new KubeEventRecorder({ client: server, component: 'test', gate });
  return { sent, gate, recorder };
}

describe('KubeEventRecorder', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-03-01T10:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  test('sends an Event at once when no claims are arriving', () => {
    const t = setup();
    t.recorder.normal(claim, 'SandboxAdopted', 'Adopted warm pool Sandbox "p-1"');
    expect(t.sent()).toEqual([expect.objectContaining({ reason: 'SandboxAdopted', type: 'Normal', involvedObject: expect.objectContaining({ name: 'c1', uid: 'u1' }) })]);
  });

  test('holds Events during a burst and sends them in order, stamped when they happened', () => {
    const t = setup();
    t.gate.claimArrived();
    t.recorder.normal(claim, 'SandboxAdopted', 'first');
    jest.advanceTimersByTime(100);
    t.gate.claimArrived();
    t.recorder.warning(claim, 'ClaimExpired', 'second');
    jest.advanceTimersByTime(200);
    expect(t.sent()).toHaveLength(0);
    jest.advanceTimersByTime(50);
    expect(t.sent().map((e) => e.reason)).toEqual(['SandboxAdopted', 'ClaimExpired']);
    expect(t.sent()[0].firstTimestamp).toBe('2026-03-01T10:00:00.000Z');
    expect(t.sent()[1].firstTimestamp).toBe('2026-03-01T10:00:00.100Z');
  });

  test('flush sends held Events at once, in the middle of a burst', async () => {
    const t = setup();
    t.gate.claimArrived();
    t.recorder.normal(claim, 'SandboxAdopted', 'held');
    expect(t.sent()).toHaveLength(0);
    await t.recorder.flush();
    expect(t.sent().map((e) => e.reason)).toEqual(['SandboxAdopted']);
    jest.advanceTimersByTime(1000);
    expect(t.sent()).toHaveLength(1); // the timer was cancelled: nothing is sent twice
  });
});
