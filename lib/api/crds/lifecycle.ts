// Schemas of our lifecycle additions (startup actions, completion policy, idle timeout, action results), with the
// rules that refuse at apply time what the controller could never run: an empty command, a timeout below one second,
// an idle timeout below the minimum, an unknown completion policy, two actions of one name.
import { COMPLETION_POLICIES, MAX_ACTION_ARGS, MAX_STARTUP_ACTIONS, MIN_IDLE_TIMEOUT_SECONDS } from '../lifecycle';
import type { SchemaNode } from './k8s-openapi';
import { atomicList, bool, dateTime, enumOf, int32, object, str } from './schema';

const MAX_ACTION_NAME = 63;
const MAX_ARG_LENGTH = 32768;
const MAX_ENV_VARS = 64;

function action(): SchemaNode {
  const command: SchemaNode = {
    ...atomicList('Program and arguments, run without a shell unless you name one.', str('An argument.', { maxLength: MAX_ARG_LENGTH })),
    minItems: 1, maxItems: MAX_ACTION_ARGS,
    'x-kubernetes-validations': [{ rule: 'self.size() > 0 && self[0].size() > 0', message: 'command must name a program: at least one element, the first not empty' }],
  };
  return object('A command run in the sandbox\'s main container through its runtime once the sandbox is Ready.', {
    name: str('Names the action in status and Events; default action-<index>.', { minLength: 1, maxLength: MAX_ACTION_NAME, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }),
    command,
    env: {
      ...atomicList('Environment variables of the command.', object('An environment variable.', {
        name: str('Variable name.', { minLength: 1, maxLength: 256 }),
        value: str('Variable value.', { maxLength: MAX_ARG_LENGTH }),
      }, ['name', 'value'])),
      maxItems: MAX_ENV_VARS,
    },
    workingDir: str('Working directory, relative to the runtime\'s base directory (which it must stay inside).', { maxLength: 4096 }),
    timeoutSeconds: int32('Seconds before the command is killed and the action is TimedOut (default: the runtime exec cap, 300 s unless SANDBOX_EXEC_TIMEOUT_SECONDS; at most SANDBOX_ACTION_TIMEOUT_MAX_SECONDS, a day by default).', { minimum: 1 }),
  }, ['command']);
}

/** `startup` and `idleTimeoutSeconds`, on Sandbox, SandboxTemplate (defaults for claims) and SandboxClaim. */
export function lifecycleProperties(owner: string): Record<string, SchemaNode> {
  const actions: SchemaNode = {
    ...atomicList('Actions run in order; each only after the previous one exited 0.', action()),
    minItems: 1, maxItems: MAX_STARTUP_ACTIONS,
    'x-kubernetes-validations': [{
      rule: 'self.all(a, !has(a.name) || self.exists_one(b, has(b.name) && b.name == a.name))',
      message: 'action names must be unique',
    }],
  };
  return {
    startup: object(`Startup actions ${owner} and what happens when they end or at shutdownTime, whichever comes first.`, {
      actions,
      completionPolicy: enumOf('Suspend deletes the Pod and keeps PVCs (resumable); Delete deletes the Sandbox; KeepRunning leaves it running.', COMPLETION_POLICIES, 'Suspend'),
      keepOnFailure: bool('true: a failed, timed-out or interrupted action leaves the sandbox running for debugging instead of applying completionPolicy.'),
    }, ['actions']),
    idleTimeoutSeconds: int32(`Suspend the sandbox after this many seconds without a request through the router or SDK (at least ${MIN_IDLE_TIMEOUT_SECONDS}); unset never.`, { minimum: MIN_IDLE_TIMEOUT_SECONDS }),
  };
}

/** status.actions of a Sandbox, and its mirror on a SandboxClaim. */
export function actionStatuses(description: string): SchemaNode {
  return atomicList(description, object('What one startup action did.', {
    name: str('Name of the action.'),
    state: enumOf('Pending, Running, or how it ended.', ['Pending', 'Running', 'Succeeded', 'Failed', 'TimedOut', 'Interrupted', 'Skipped']),
    exitCode: int32('Exit code (128+N when killed by signal N).'),
    startedAt: dateTime('When the command started.'),
    finishedAt: dateTime('When the command ended.'),
    output: str('The last few KiB of stdout and stderr, interleaved.'),
    message: str('Why it ended so, when not by its own exit.'),
  }, ['name', 'state']));
}
