// Startup actions from the SDK: the typed result of a claim's actions, read from the claim's mirror of them
// (status.actions and the ActionsCompleted condition), once the condition is final.
import { CONDITION, DEFAULT_ACTION_TIMEOUT_SECONDS, type SandboxAction, type SandboxActionStatus, type SandboxClaim } from '../api';
import { failOnTerminalReason } from './claims';
import type { Verdict } from './watch-until';

/** How a claim's startup actions ended. */
export interface ActionsResult {
  readonly namespace: string;
  readonly claim: string;
  /** The Sandbox that ran them. */
  readonly sandbox?: string;
  /** Every action exited 0. */
  readonly succeeded: boolean;
  /** The ActionsCompleted reason: ActionsSucceeded, ActionFailed, ActionTimedOut, ActionInterrupted or ShutdownTimeReached. */
  readonly reason: string;
  readonly message: string;
  /** One entry per action, in order: state, exit code, times, the last 4 KiB of output. */
  readonly actions: readonly SandboxActionStatus[];
  /** The exit code of the last action that ran to an exit (a failed one's, else the last one's). */
  readonly exitCode?: number;
  /** With runActions' onOutput: the indices of the actions whose whole output it received live. */
  readonly followed?: readonly number[];
}

/** Done once the claim mirrors a final ActionsCompleted condition; Ready reasons that cannot cure throw. */
export function judgeActions(claim: SandboxClaim): Verdict<ActionsResult> {
  const completed = claim.status?.conditions?.find((c) => c.type === CONDITION.actionsCompleted);
  if (!completed || completed.status === 'Unknown') return { done: false, ...failOnTerminalReason(claim) };
  const actions = claim.status?.actions ?? [];
  const ran = actions.filter((a) => a.exitCode !== undefined);
  return {
    done: true,
    value: {
      namespace: claim.metadata.namespace ?? '', claim: claim.metadata.name ?? '', sandbox: claim.status?.sandbox?.name,
      succeeded: completed.status === 'True', reason: completed.reason, message: completed.message, actions,
      exitCode: ran.at(-1)?.exitCode,
    },
  };
}

/** Long enough for every action to use its whole timeout, plus time to claim and start. */
export function actionsWaitMs(actions: readonly SandboxAction[]): number {
  return (actions.reduce((sum, a) => sum + (a.timeoutSeconds ?? DEFAULT_ACTION_TIMEOUT_SECONDS), 0) + 180) * 1000;
}
