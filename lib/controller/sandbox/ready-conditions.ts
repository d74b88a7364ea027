// Sandbox condition computation (Ready, Suspended, Finished, PodScheduled) from what one reconcile pass observed,
// with the exact upstream reasons and messages.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Condition } from 'kubernetes-types/meta/v1';
import { CONDITION, SANDBOX_REASON } from '../../api/conditions';
import { findCondition, removeCondition, setCondition, type ConditionInput } from '../shared/condition-list';

/** What one pass learned about the Sandbox's Pod: exactly one of these. */
export type PodState =
  /** The one Pod this Sandbox controls (it may be terminating). */
  | { kind: 'owned'; pod: Pod }
  /** No owned Pod; `nameTaken`: a Pod with the Sandbox's name exists that this Sandbox does not own. */
  | { kind: 'none'; nameTaken: boolean }
  /** The Pod could not be looked up, created or deleted. */
  | { kind: 'unknown' }
  /** More than one Pod is controlled by this Sandbox: the refusal message. */
  | { kind: 'multiple'; message: string };

/** The owned Pod of `state`, if there is one. */
export function ownedPod(state: PodState): Pod | undefined {
  return state.kind === 'owned' ? state.pod : undefined;
}

/** What one pass saw; only a Pod owned by this Sandbox is ever in `pod`. */
export interface SandboxObservation {
  generation: number;
  suspended: boolean;
  pod: PodState;
  /** Any other reconcile error, joined. */
  error?: string;
  /** Every error was the API server refusing a child as invalid: InvalidConfiguration instead of ReconcilerError. */
  errorIsPermanent?: boolean;
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

/** Kubelet's waiting reasons that are progress, not a problem. */
const STARTING_REASONS = new Set(['ContainerCreating', 'PodInitializing']);

/**
 * The first container (init containers first) that kubelet holds back for a reason a person must act on — an image
 * that cannot be pulled (`ErrImagePull`, `ImagePullBackOff`, `InvalidImageName`), a crash loop, a bad config — as
 * Ready's reason and message, so a claim says why at once instead of only "Pending".
 */
function waitingProblem(pod: Pod): Pick<Reasoned, 'reason' | 'message'> | undefined {
  for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = status.state?.waiting;
    if (!waiting?.reason || STARTING_REASONS.has(waiting.reason)) continue;
    return { reason: waiting.reason, message: `container "${status.name}" is waiting: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` };
  }
  return undefined;
}

function ready(obs: SandboxObservation): Reasoned {
  if (obs.pod.kind === 'multiple') return { status: 'False', reason: SANDBOX_REASON.multiplePods, message: obs.pod.message };
  if (obs.error) return { status: 'False', reason: obs.errorIsPermanent ? SANDBOX_REASON.invalidConfiguration : SANDBOX_REASON.reconcilerError, message: `Error seen: ${obs.error}` };
  const owned = ownedPod(obs.pod);
  if (obs.suspended) {
    return { status: 'False', reason: SANDBOX_REASON.sandboxSuspended, message: owned ? 'Sandbox is suspending' : 'Sandbox is suspended' };
  }
  const terminal = terminalReason(owned);
  if (terminal) return { status: 'False', reason: terminal, message: `Pod exists with phase: ${owned?.status?.phase}` };
  const pod = podReadiness(owned);
  let message = pod.message;
  let ok = pod.ready;
  if (obs.serviceRequired) {
    message += obs.serviceExists ? '; Service Exists' : '; Service does not exist';
    ok &&= obs.serviceExists;
  }
  const problem = !pod.ready && owned ? waitingProblem(owned) : undefined;
  if (problem) return { status: 'False', reason: problem.reason, message: `${message}; ${problem.message}` };
  return ok
    ? { status: 'True', reason: SANDBOX_REASON.dependenciesReady, message }
    : { status: 'False', reason: SANDBOX_REASON.dependenciesNotReady, message };
}

function suspended(obs: SandboxObservation): Reasoned {
  if (!obs.suspended) return { status: 'False', reason: SANDBOX_REASON.notSuspended, message: 'Sandbox is running' };
  const terminated: Reasoned = { status: 'True', reason: SANDBOX_REASON.podTerminated, message: 'Pod is terminated' };
  switch (obs.pod.kind) {
    case 'unknown':
      return { status: 'Unknown', reason: SANDBOX_REASON.podStateUnknown, message: 'Pod state is unknown' };
    case 'owned':
      return { status: 'False', reason: SANDBOX_REASON.podTerminating, message: 'Pod is terminating' };
    case 'none':
      if (obs.pod.nameTaken) return { status: 'False', reason: SANDBOX_REASON.podNotOwned, message: 'A Pod with the Sandbox name exists but is not owned by it' };
      return terminated;
    case 'multiple':
      return terminated; // the pass refused to choose a Pod: Ready says why
  }
}

function podScheduled(obs: SandboxObservation): Reasoned | undefined {
  switch (obs.pod.kind) {
    case 'unknown':
      return { status: 'Unknown', reason: SANDBOX_REASON.podSchedulingUnknown, message: 'Pod state is unknown' };
    case 'none':
    case 'multiple':
      return undefined;
    case 'owned':
      break;
  }
  const cond = findCondition(obs.pod.pod.status?.conditions as Condition[] | undefined, CONDITION.podScheduled);
  if (!cond) return { status: 'Unknown', reason: SANDBOX_REASON.podSchedulingUnknown, message: 'Pod has no PodScheduled condition yet' };
  return { status: cond.status, reason: cond.reason || CONDITION.podScheduled, message: cond.message ?? '' };
}

/** The conditions after this pass: Suspended, Finished?, PodScheduled?, Ready (absent ones removed). */
export function sandboxConditions(current: readonly Condition[] | undefined, obs: SandboxObservation, now: Date): Condition[] {
  const stamp = (type: string, r: Reasoned): ConditionInput => ({ type, ...r, observedGeneration: obs.generation });
  let next = setCondition(current, stamp(CONDITION.suspended, suspended(obs)), now);
  const owned = ownedPod(obs.pod);
  const terminal = terminalReason(owned);
  next = terminal
    ? setCondition(next, stamp(CONDITION.finished, { status: 'True', reason: terminal, message: `Pod exists with phase: ${owned?.status?.phase}` }), now)
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
