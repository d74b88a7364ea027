// Startup action planning (pure): start only when Ready and only after the Running mark is stored, record outcomes,
// mark an action this process does not hold as interrupted, stop at shutdownTime, complete once; the output tail.
import type { Sandbox } from '../../../../lib/api';
import { INTERRUPTED_BY_RESTART, outcomeStatus, planActions } from '../../../../lib/controller/sandbox/actions/plan';
import type { ActionRunner } from '../../../../lib/controller/sandbox/actions/runner';
import { OutputTail } from '../../../../lib/controller/sandbox/actions/runtime-exec';
import { sandbox } from '../fixtures';

const now = new Date('2026-01-01T00:00:10Z');
const view = { ready: true, shutdownReached: false, now };
const unknownRunner: Pick<ActionRunner, 'state'> = { state: () => ({ kind: 'unknown' }) };
const withStartup = (status?: Sandbox['status']): Sandbox => {
  const sb = sandbox({ startup: { actions: [{ name: 'a', command: ['true'] }, { command: ['false'] }] } });
  sb.status = status;
  return sb;
};
const outcome = (exitCode?: number, extra = {}) => ({ exitCode, timedOut: false, cancelled: false, startedAt: new Date(0), finishedAt: now, output: 'out', ...extra });

test('nothing to plan without startup actions', () => {
  expect(planActions(sandbox(), unknownRunner, view)).toBeUndefined();
});

test('the first action is marked Running and started only when the sandbox is Ready', () => {
  expect(planActions(withStartup(), unknownRunner, { ...view, ready: false })).toMatchObject({
    statuses: [{ name: 'a', state: 'Pending' }, { name: 'action-1', state: 'Pending' }], start: undefined,
    condition: { status: 'Unknown', reason: 'ActionsPending' },
  });
  expect(planActions(withStartup(), unknownRunner, view)).toMatchObject({
    statuses: [{ name: 'a', state: 'Running', startedAt: now.toISOString() }, { state: 'Pending' }], start: 0,
    condition: { status: 'Unknown', reason: 'ActionsRunning' }, complete: undefined,
  });
});

test('an outcome is recorded and the next action starts; a failure skips the rest and completes once', () => {
  const running = withStartup({ actions: [{ name: 'a', state: 'Running' }, { name: 'action-1', state: 'Pending' }] });
  const first = planActions(running, { state: () => ({ kind: 'settled', outcome: outcome(0) }) }, view)!;
  expect(first.statuses[0]).toMatchObject({ state: 'Succeeded', exitCode: 0, output: 'out' });
  expect(first).toMatchObject({ recorded: true, start: undefined });
  const second = planActions(withStartup({ actions: [first.statuses[0]!, { name: 'action-1', state: 'Running' }] }),
    { state: () => ({ kind: 'settled', outcome: outcome(2) }) }, view)!;
  expect(second.condition).toMatchObject({ status: 'False', reason: 'ActionFailed', message: 'action "action-1" exited with code 2' });
  expect(second.complete).toEqual({ reason: 'actions-complete', failed: true });
  const stored = withStartup({ actions: second.statuses, conditions: [{ ...second.condition, lastTransitionTime: '2026-01-01T00:00:10Z' }] });
  expect(planActions(stored, unknownRunner, view)!.complete).toBeUndefined();
});

test('a Running action this process does not hold was interrupted by a restart and is not started again', () => {
  const plan = planActions(withStartup({ actions: [{ name: 'a', state: 'Running' }, { name: 'action-1', state: 'Pending' }] }), unknownRunner, view)!;
  expect(plan.statuses).toEqual([
    { name: 'a', state: 'Interrupted', finishedAt: now.toISOString(), message: INTERRUPTED_BY_RESTART },
    { name: 'action-1', state: 'Skipped', message: 'action "a" did not succeed' },
  ]);
  expect(plan).toMatchObject({ start: undefined, condition: { reason: 'ActionInterrupted' } });
});

test('at shutdownTime a running action is cancelled, pending ones are skipped, and the policy applies with reason shutdown-time', () => {
  const running = planActions(withStartup({ actions: [{ name: 'a', state: 'Running' }, { name: 'action-1', state: 'Pending' }] }),
    { state: () => ({ kind: 'running' }) }, { ...view, shutdownReached: true })!;
  expect(running).toMatchObject({ cancel: 'shutdownTime was reached', complete: undefined });
  const pending = planActions(withStartup(), unknownRunner, { ...view, shutdownReached: true })!;
  expect(pending.statuses.map((s) => s.state)).toEqual(['Skipped', 'Skipped']);
  expect(pending).toMatchObject({ condition: { status: 'False', reason: 'ShutdownTimeReached' }, complete: { reason: 'shutdown-time', failed: true } });
});

test('outcomes: exit 0 succeeds, timeouts and lost connections are not failures of the command', () => {
  expect(outcomeStatus('x', outcome(0)).state).toBe('Succeeded');
  expect(outcomeStatus('x', outcome(1)).state).toBe('Failed');
  expect(outcomeStatus('x', outcome(-9, { timedOut: true })).state).toBe('TimedOut');
  expect(outcomeStatus('x', outcome(undefined, { error: 'reset' }))).toMatchObject({ state: 'Interrupted', message: 'reset' });
  expect(outcomeStatus('x', outcome(-15, { cancelled: true })).state).toBe('Interrupted');
});

test('the output tail keeps the last bytes and never starts inside a character', () => {
  const tail = new OutputTail(8);
  tail.push('0123');
  tail.push('456789');
  expect(tail.toString()).toBe('23456789');
  const wide = new OutputTail(5);
  wide.push('ééé'); // 6 bytes: the first é is cut in half
  expect(wide.toString()).toBe('éé');
});
