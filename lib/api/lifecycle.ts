// Bounds and names of our lifecycle additions (startup actions, completion policy, idle suspend, resume), shared by
// the CRD schemas, the builders' synth-time checks, the controller, the router and the SDK.

/** Shortest idle timeout: below it a sandbox would suspend between an agent's ordinary think-time pauses. */
export const MIN_IDLE_TIMEOUT_SECONDS = 60;
/** Most startup actions per sandbox (bounds the CRD's CEL cost and the status size). */
export const MAX_STARTUP_ACTIONS = 16;
/** Most arguments of one action's command. */
export const MAX_ACTION_ARGS = 256;
/** An action without timeoutSeconds is killed after this long (the runtime's default command limit). */
export const DEFAULT_ACTION_TIMEOUT_SECONDS = 300;
/** The runtime's default bound on an action's declared timeout (SANDBOX_ACTION_TIMEOUT_MAX_SECONDS). */
export const DEFAULT_ACTION_TIMEOUT_MAX_SECONDS = 86_400;
/** Output kept per action in status: the last this many bytes of stdout and stderr. */
export const ACTION_OUTPUT_TAIL_BYTES = 4096;
/**
 * The router writes a sandbox's last-activity annotation at most once per this interval (while requests keep coming or
 * streams stay open). The controller adds it to the idle timeout as slack: activity not yet written is not idleness.
 */
export const ACTIVITY_WRITE_INTERVAL_SECONDS = 15;
/** Port of the in-sandbox runtime (its default), through which actions run. */
export const SANDBOX_RUNTIME_PORT = 8888;

export const COMPLETION_POLICIES = ['Suspend', 'Delete', 'KeepRunning'] as const;

/** Why a sandbox was suspended (the suspend-reason annotation and the suspends metric); unset means `manual`. */
export const SUSPEND_REASON = {
  idle: 'idle',
  actionsComplete: 'actions-complete',
  shutdownTime: 'shutdown-time',
  manual: 'manual',
} as const;
export type SuspendReason = (typeof SUSPEND_REASON)[keyof typeof SUSPEND_REASON];

/** The name an action has in status: its own, or `action-<index>`. */
export function actionName(action: { name?: string }, index: number): string {
  return action.name || `action-${index}`;
}

/**
 * The id under which the controller runs action `index` of the Sandbox with `uid` in its runtime (`POST
 * /v1/actions/{id}`); a client follows the action's output live with `GET /v1/actions/{id}/output`.
 */
export function actionExecId(uid: string, index: number): string {
  return `${uid}-${index}`;
}
