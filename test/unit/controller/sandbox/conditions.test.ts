import type { Pod } from 'kubernetes-types/core/v1';
import type { Condition } from 'kubernetes-types/meta/v1';
import { setCondition } from '../../../../lib/controller/shared/condition-list';
import { expiredConditions, sandboxConditions, type PodState, type SandboxObservation } from '../../../../lib/controller/sandbox/ready-conditions';

const T0 = new Date('2026-01-01T00:00:00.123Z');
const T1 = new Date('2026-01-01T00:05:00Z');
const base: SandboxObservation = { generation: 7, suspended: false, pod: { kind: 'none', nameTaken: false }, serviceRequired: false, serviceExists: false };

/** An owned Pod in `phase`. */
function pod(phase: string, ready = false, ips = ['198.18.0.1'], scheduled?: Partial<Condition>): PodState {
  const conditions = [{ type: 'Ready', status: ready ? 'True' : 'False' }];
  if (scheduled) conditions.push({ type: 'PodScheduled', status: 'True', ...scheduled });
  const owned: Pod = { status: { phase, conditions, podIPs: ips.map((ip) => ({ ip })) } };
  return { kind: 'owned', pod: owned };
}

const byType = (conds: Condition[]) => Object.fromEntries(conds.map((c) => [c.type, `${c.status}/${c.reason}/${c.message}`]));

test.each<[string, Partial<SandboxObservation>, string]>([
  ['no pod', {}, 'False/DependenciesNotReady/Pod does not exist'],
  ['pending pod', { pod: pod('Pending') }, 'False/DependenciesNotReady/Pod exists with phase: Pending'],
  ['running, not ready', { pod: pod('Running') }, 'False/DependenciesNotReady/Pod is Running but not Ready'],
  ['ready, no IPs', { pod: pod('Running', true, []) }, 'False/DependenciesNotReady/Pod is Ready but has no podIPs yet'],
  ['ready', { pod: pod('Running', true) }, 'True/DependenciesReady/Pod is Ready'],
  ['ready, service required and present', { pod: pod('Running', true), serviceRequired: true, serviceExists: true }, 'True/DependenciesReady/Pod is Ready; Service Exists'],
  ['ready, service missing', { pod: pod('Running', true), serviceRequired: true }, 'False/DependenciesNotReady/Pod is Ready; Service does not exist'],
  ['suspending', { suspended: true, pod: pod('Running', true) }, 'False/SandboxSuspended/Sandbox is suspending'],
  ['suspended', { suspended: true }, 'False/SandboxSuspended/Sandbox is suspended'],
  ['succeeded', { pod: pod('Succeeded') }, 'False/PodSucceeded/Pod exists with phase: Succeeded'],
  ['multiple pods', { pod: { kind: 'multiple', message: 'multiple Pods (2)' } }, 'False/MultiplePods/multiple Pods (2)'],
  ['error', { error: 'boom', pod: pod('Running', true) }, 'False/ReconcilerError/Error seen: boom'],
])('Ready: %s', (_name, obs, expected) => {
  expect(byType(sandboxConditions([], { ...base, ...obs }, T0)).Ready).toBe(expected);
});

/** A Pending owned Pod whose container kubelet holds in `waiting`. */
function waitingPod(waiting: { reason: string; message?: string }, init = false): PodState {
  const statuses = [{ name: init ? 'setup' : 'runtime', state: { waiting } }];
  const owned = { status: { phase: 'Pending', ...(init ? { initContainerStatuses: statuses } : { containerStatuses: statuses }) } } as Pod;
  return { kind: 'owned', pod: owned };
}

test.each<[string, PodState, string]>([
  ['image pull failed', waitingPod({ reason: 'ErrImagePull', message: 'failed to pull image "ghcr.io/acme/nope:1": not found' }),
    'False/ErrImagePull/Pod exists with phase: Pending; container "runtime" is waiting: ErrImagePull: failed to pull image "ghcr.io/acme/nope:1": not found'],
  ['pull backing off', waitingPod({ reason: 'ImagePullBackOff', message: 'Back-off pulling image "ghcr.io/acme/nope:1"' }),
    'False/ImagePullBackOff/Pod exists with phase: Pending; container "runtime" is waiting: ImagePullBackOff: Back-off pulling image "ghcr.io/acme/nope:1"'],
  ['init container crash loop', waitingPod({ reason: 'CrashLoopBackOff' }, true),
    'False/CrashLoopBackOff/Pod exists with phase: Pending; container "setup" is waiting: CrashLoopBackOff'],
  ['still creating', waitingPod({ reason: 'ContainerCreating' }), 'False/DependenciesNotReady/Pod exists with phase: Pending'],
])('Ready names what kubelet waits on: %s', (_name, state, expected) => {
  expect(byType(sandboxConditions([], { ...base, pod: state }, T0)).Ready).toBe(expected);
});

test.each<[string, Partial<SandboxObservation>, string]>([
  ['running', {}, 'False/NotSuspended'],
  ['pod terminating', { suspended: true, pod: pod('Running') }, 'False/PodTerminating'],
  ['pod not owned', { suspended: true, pod: { kind: 'none', nameTaken: true } }, 'False/PodNotOwned'],
  ['unknown', { suspended: true, pod: { kind: 'unknown' } }, 'Unknown/PodStateUnknown'],
  ['terminated', { suspended: true }, 'True/PodTerminated'],
])('Suspended: %s', (_name, obs, expected) => {
  expect(byType(sandboxConditions([], { ...base, ...obs }, T0)).Suspended).toMatch(new RegExp(`^${expected}/`));
});

test('Finished and PodScheduled follow the owned pod and are removed without one; every condition has observedGeneration', () => {
  const failed = sandboxConditions([], { ...base, pod: pod('Failed', false, [], { reason: '' }) }, T0);
  expect(failed.map((c) => c.type)).toEqual(['Suspended', 'Finished', 'PodScheduled', 'Ready']);
  expect(byType(failed).Finished).toMatch(/^True\/PodFailed\//);
  expect(byType(failed).PodScheduled).toBe('True/PodScheduled/');
  expect(failed.every((c) => c.observedGeneration === 7)).toBe(true);
  const unscheduled = sandboxConditions(failed, { ...base, pod: { kind: 'owned', pod: { status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes' }] } } } }, T0);
  expect(byType(unscheduled).PodScheduled).toBe('False/Unschedulable/0/1 nodes');
  expect(byType(unscheduled).Finished).toBeUndefined();
  expect(byType(sandboxConditions([], { ...base, pod: pod('Pending') }, T0)).PodScheduled).toMatch(/^Unknown\/PodSchedulingUnknown\//);
  expect(byType(sandboxConditions(failed, base, T0)).PodScheduled).toBeUndefined();
});

test('lastTransitionTime changes only when the status flips (second precision)', () => {
  const first = setCondition([], { type: 'Ready', status: 'False', reason: 'A', message: 'a' }, T0);
  expect(first[0].lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  const sameStatus = setCondition(first, { type: 'Ready', status: 'False', reason: 'B', message: 'b', observedGeneration: 2 }, T1);
  expect(sameStatus[0]).toEqual({ type: 'Ready', status: 'False', reason: 'B', message: 'b', observedGeneration: 2, lastTransitionTime: '2026-01-01T00:00:00Z' });
  expect(setCondition(sameStatus, { type: 'Ready', status: 'True', reason: 'C', message: '' }, T1)[0].lastTransitionTime).toBe('2026-01-01T00:05:00Z');
  expect(first).toHaveLength(1);
  expect(first[0].reason).toBe('A');
});

test('expiredConditions: Ready=False SandboxExpired, PodScheduled removed, Finished kept', () => {
  const current = sandboxConditions([], { ...base, pod: pod('Succeeded', false, [], { reason: '' }) }, T0);
  const expired = expiredConditions(current, 8, T1);
  expect(byType(expired)).toEqual({
    Suspended: 'False/NotSuspended/Sandbox is running',
    Finished: 'True/PodSucceeded/Pod exists with phase: Succeeded',
    Ready: 'False/SandboxExpired/Sandbox has expired',
  });
});
