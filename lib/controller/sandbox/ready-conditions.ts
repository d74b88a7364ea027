// Sandbox condition computation (Ready, Suspended, Finished, PodScheduled) from what one reconcile pass observed,
// with the exact upstream reasons and messages.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Condition } from 'kubernetes-types/meta/v1';
import { CONDITION, SANDBOX_REASON } from '../../api/conditions';
import { findCondition, removeCondition, setCondition, type ConditionInput } from '../shared/condition-list';

/** What one pass saw; only a Pod owned by this Sandbox is ever passed as `pod`. */
export interface SandboxObservation {
  generation: number;
  suspended: boolean;
  /** The owned Pod, if any. */
  pod?: Pod;
  /** Suspended, and a Pod with the sandbox's name exists that this Sandbox does not own. */
  podNotOwned?: boolean;
  /** The Pod could not be looked up or deleted (its state is unknown). */
  podStateUnknown?: boolean;
  /** Set when more than one Pod is controlled by this Sandbox: the refusal message. */
  multiplePods?: string;
  /** Any other reconcile error, joined. */
  error?: string;
  /** spec.service is true, or unset with an owned Service present. */
  serviceRequired: boolean;
  serviceExists: boolean;
}

type Reasoned = Pick<ConditionInput, 'status' | 'reason' | 'message'>;

function terminalReason(pod: Pod | undefined): string | undefined {
  if (pod?.status?.phase === 'Succeeded') return SANDBOX_REASON.podSucceeded;
  if (pod?.status?.phase === 'Failed') return SANDBOX_REASON.podFailed;
  return undefined;
}

function podReadiness(pod: Pod | undefined): { ready: boolean; message: string } {
  if (!pod) return { ready: false, message: 'Pod does not exist' };
  const phase = pod.status?.phase ?? 'Pending';
  if (phase !== 'Running') return { ready: false, message: `Pod exists with phase: ${phase}` };
  if (findCondition(pod.status?.conditions as Condition[] | undefined, 'Ready')?.status !== 'True') {
    return { ready: false, message: 'Pod is Running but not Ready' };
  }
  if (!pod.status?.podIPs?.length) return { ready: false, message: 'Pod is Ready but has no podIPs yet' };
  return { ready: true, message: 'Pod is Ready' };
}

function ready(obs: SandboxObservation): Reasoned {
  if (obs.multiplePods) return { status: 'False', reason: SANDBOX_REASON.multiplePods, message: obs.multiplePods };
  if (obs.error) return { status: 'False', reason: SANDBOX_REASON.reconcilerError, message: `Error seen: ${obs.error}` };
  if (obs.suspended) {
    return { status: 'False', reason: SANDBOX_REASON.sandboxSuspended, message: obs.pod ? 'Sandbox is suspending' : 'Sandbox is suspended' };
  }
  const terminal = terminalReason(obs.pod);
  if (terminal) return { status: 'False', reason: terminal, message: `Pod exists with phase: ${obs.pod?.status?.phase}` };
  const pod = podReadiness(obs.pod);
  let message = pod.message;
  let ok = pod.ready;
  if (obs.serviceRequired) {
    message += obs.serviceExists ? '; Service Exists' : '; Service does not exist';
    ok &&= obs.serviceExists;
  }
  return ok
    ? { status: 'True', reason: SANDBOX_REASON.dependenciesReady, message }
    : { status: 'False', reason: SANDBOX_REASON.dependenciesNotReady, message };
}

function suspended(obs: SandboxObservation): Reasoned {
  if (!obs.suspended) return { status: 'False', reason: SANDBOX_REASON.notSuspended, message: 'Sandbox is running' };
  if (obs.podStateUnknown && !obs.pod) return { status: 'Unknown', reason: SANDBOX_REASON.podStateUnknown, message: 'Pod state is unknown' };
  if (obs.podNotOwned) return { status: 'False', reason: SANDBOX_REASON.podNotOwned, message: 'A Pod with the Sandbox name exists but is not owned by it' };
  if (obs.pod) return { status: 'False', reason: SANDBOX_REASON.podTerminating, message: 'Pod is terminating' };
  return { status: 'True', reason: SANDBOX_REASON.podTerminated, message: 'Pod is terminated' };
}

function podScheduled(obs: SandboxObservation): Reasoned | undefined {
  if (!obs.pod) return obs.podStateUnknown ? { status: 'Unknown', reason: SANDBOX_REASON.podSchedulingUnknown, message: 'Pod state is unknown' } : undefined;
  const cond = findCondition(obs.pod.status?.conditions as Condition[] | undefined, CONDITION.podScheduled);
  if (!cond) return { status: 'Unknown', reason: SANDBOX_REASON.podSchedulingUnknown, message: 'Pod has no PodScheduled condition yet' };
  return { status: cond.status, reason: cond.reason || CONDITION.podScheduled, message: cond.message ?? '' };
}

/** The conditions after this pass: Suspended, Finished?, PodScheduled?, Ready (absent ones removed). */
export function sandboxConditions(current: readonly Condition[] | undefined, obs: SandboxObservation, now: Date): Condition[] {
  const stamp = (type: string, r: Reasoned): ConditionInput => ({ type, ...r, observedGeneration: obs.generation });
  let next = setCondition(current, stamp(CONDITION.suspended, suspended(obs)), now);
  const terminal = terminalReason(obs.pod);
  next = terminal
    ? setCondition(next, stamp(CONDITION.finished, { status: 'True', reason: terminal, message: `Pod exists with phase: ${obs.pod?.status?.phase}` }), now)
    : removeCondition(next, CONDITION.finished);
  const scheduled = podScheduled(obs);
  next = scheduled ? setCondition(next, stamp(CONDITION.podScheduled, scheduled), now) : removeCondition(next, CONDITION.podScheduled);
  return setCondition(next, stamp(CONDITION.ready, ready(obs)), now);
}

/** Conditions of an expired Sandbox: Ready=False SandboxExpired, PodScheduled removed, Finished kept. */
export function expiredConditions(current: readonly Condition[] | undefined, generation: number, now: Date): Condition[] {
  const next = removeCondition(current, CONDITION.podScheduled);
  return setCondition(next, {
    type: CONDITION.ready, status: 'False', reason: SANDBOX_REASON.sandboxExpired, message: 'Sandbox has expired', observedGeneration: generation,
  }, now);
}
