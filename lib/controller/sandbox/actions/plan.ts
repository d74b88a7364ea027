// One pass over a Sandbox's startup actions, as a pure function of what the pass knows: the stored status.actions,
// what this process's runner holds, whether the Sandbox is Ready and whether shutdownTime has passed. It says what to
// record, which action to start once that is written (never before: a restart must find it marked Running), what to
// cancel, and whether the completion policy is due (once, when the ActionsCompleted condition first turns final).
import { ACTIONS_REASON, CONDITION } from '../../../api/conditions';
import { actionName, SUSPEND_REASON, type SuspendReason } from '../../../api/lifecycle';
import type { ActionState, Sandbox, SandboxActionStatus } from '../../../api/types';
import { findCondition, type ConditionInput } from '../../shared/condition-list';
import type { ActionRunner } from './runner';
import type { ActionOutcome } from './runtime-exec';

export interface ActionsView {
  /** The Sandbox's Pod is Ready this pass and not being suspended. */
  ready: boolean;
  /** shutdownTime has passed. */
  shutdownReached: boolean;
  now: Date;
}

export interface ActionsPlan {
  statuses: SandboxActionStatus[];
  condition: ConditionInput;
  /** Start this action once `statuses` (which mark it Running) are stored. */
  start?: number;
  /** Cancel the running action with this reason. */
  cancel?: string;
  /** Apply the completion policy now (the condition turned final this pass). */
  complete?: { reason: SuspendReason; failed: boolean };
  /** The runner's outcomes recorded by this plan (forget them once stored). */
  recorded: boolean;
}

const FINAL_STATES: readonly ActionState[] = ['Succeeded', 'Failed', 'TimedOut', 'Interrupted', 'Skipped'];
const isFinal = (s: SandboxActionStatus) => FINAL_STATES.includes(s.state);

/** The status entry an outcome becomes: Succeeded only on exit 0; no exit code (connection cut, cancel) is Interrupted. */
export function outcomeStatus(name: string, outcome: ActionOutcome): SandboxActionStatus {
  const state: ActionState = outcome.timedOut ? 'TimedOut'
    : outcome.exitCode === undefined || (outcome.cancelled && outcome.exitCode !== 0) ? 'Interrupted'
      : outcome.exitCode === 0 ? 'Succeeded' : 'Failed';
  return {
    name, state,
    ...(outcome.exitCode !== undefined ? { exitCode: outcome.exitCode } : {}),
    startedAt: outcome.startedAt.toISOString(), finishedAt: outcome.finishedAt.toISOString(),
    ...(outcome.output ? { output: outcome.output } : {}),
    ...(outcome.error ? { message: outcome.error } : {}),
  };
}

export const INTERRUPTED_BY_RESTART = 'the controller restarted while this action was running, so it was marked interrupted and not run again '
  + '(the runtime stops a command when the connection that started it closes)';

function skipRest(statuses: SandboxActionStatus[], from: number, message: string): void {
  for (let i = from; i < statuses.length; i++) if (!isFinal(statuses[i]!)) statuses[i] = { name: statuses[i]!.name, state: 'Skipped', message };
}

function conditionFor(statuses: SandboxActionStatus[], shutdown: boolean, generation: number | undefined): ConditionInput {
  const base = { type: CONDITION.actionsCompleted, observedGeneration: generation };
  const failed = statuses.find((s) => s.state !== 'Succeeded' && s.state !== 'Skipped' && isFinal(s));
  if (failed) {
    const reason = shutdown && failed.state === 'Interrupted' ? ACTIONS_REASON.shutdownTime
      : failed.state === 'TimedOut' ? ACTIONS_REASON.timedOut : failed.state === 'Interrupted' ? ACTIONS_REASON.interrupted : ACTIONS_REASON.failed;
    const how = failed.state === 'Failed' ? `exited with code ${failed.exitCode}` : failed.state === 'TimedOut' ? 'timed out' : 'was interrupted';
    return { ...base, status: 'False', reason, message: `action "${failed.name}" ${how}${failed.message ? `: ${failed.message}` : ''}` };
  }
  if (statuses.every(isFinal)) {
    if (shutdown && statuses.some((s) => s.state === 'Skipped')) return { ...base, status: 'False', reason: ACTIONS_REASON.shutdownTime, message: 'shutdownTime was reached before the actions ran' };
    return { ...base, status: 'True', reason: ACTIONS_REASON.succeeded, message: `${statuses.length} action(s) succeeded` };
  }
  const running = statuses.findIndex((s) => s.state === 'Running');
  if (running >= 0) return { ...base, status: 'Unknown', reason: ACTIONS_REASON.running, message: `action ${running + 1}/${statuses.length} "${statuses[running]!.name}" is running` };
  return { ...base, status: 'Unknown', reason: ACTIONS_REASON.pending, message: 'waiting for the sandbox to be Ready' };
}

/** The plan for a Sandbox with spec.startup; undefined for one without. */
export function planActions(sandbox: Sandbox, runner: Pick<ActionRunner, 'state'>, view: ActionsView): ActionsPlan | undefined {
  const actions = sandbox.spec.startup?.actions;
  if (!actions?.length) return undefined;
  const uid = sandbox.metadata.uid ?? '';
  const stored = sandbox.status?.actions ?? [];
  const statuses: SandboxActionStatus[] = actions.map((a, i) => {
    const name = actionName(a, i);
    const previous = stored[i];
    return previous?.name === name ? { ...previous } : { name, state: 'Pending' };
  });
  let recorded = false;
  let start: number | undefined;
  let cancel: string | undefined;
  const current = statuses.findIndex((s) => !isFinal(s));
  if (current >= 0) {
    const entry = statuses[current]!;
    if (entry.state === 'Running') {
      const held = runner.state(uid, current);
      if (held.kind === 'settled') {
        statuses[current] = outcomeStatus(entry.name, held.outcome);
        recorded = true;
      } else if (held.kind === 'unknown') {
        statuses[current] = { ...entry, state: 'Interrupted', finishedAt: view.now.toISOString(), message: INTERRUPTED_BY_RESTART };
      } else if (view.shutdownReached) {
        cancel = 'shutdownTime was reached';
      }
    } else if (view.shutdownReached) {
      skipRest(statuses, current, 'shutdownTime was reached before this action ran');
    } else if (view.ready) {
      statuses[current] = { name: entry.name, state: 'Running', startedAt: view.now.toISOString() };
      start = current;
    }
    const ended = statuses[current]!;
    if (isFinal(ended) && ended.state !== 'Succeeded' && ended.state !== 'Skipped') skipRest(statuses, current + 1, `action "${ended.name}" did not succeed`);
  }
  const condition = conditionFor(statuses, view.shutdownReached, sandbox.metadata.generation);
  const wasFinal = ['True', 'False'].includes(findCondition(sandbox.status?.conditions, CONDITION.actionsCompleted)?.status ?? '');
  const complete = condition.status !== 'Unknown' && !wasFinal
    ? { reason: view.shutdownReached ? SUSPEND_REASON.shutdownTime : SUSPEND_REASON.actionsComplete, failed: condition.status === 'False' }
    : undefined;
  return { statuses, condition, start, cancel, complete, recorded };
}
