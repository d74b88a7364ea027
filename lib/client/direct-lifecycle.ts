// Direct mode's part in idle suspend and resume, as the router does it for its callers: requests mark their sandbox
// active in the shared ActivityRecorder (one coalesced write per sandbox per interval, only for sandboxes with an idle
// timeout), and a call to a suspended sandbox sets it Running with the caller's own identity (one resume per sandbox
// however many calls wait) and waits, within the hold, until it is Ready with a pod address.
import { CONDITION, SANDBOX, type Sandbox } from '../api';
import { isForbidden, Resources, type KubeClient } from '../kube';
import { ActivityRecorder } from '../lifecycle/activity';
import { setRunning } from '../lifecycle/resume';
import { ResumeForbiddenError, ResumeTimeoutError, SandboxError } from './errors';
import { isServing, type SandboxAddress } from './connection';
import { watchUntil, type Verdict } from './watch-until';

function judgeServing(sandbox: Sandbox): Verdict<Sandbox> {
  if (isServing(sandbox)) return { done: true, value: sandbox };
  const ready = sandbox.status?.conditions?.find((c) => c.type === CONDITION.ready);
  return { done: false, reason: ready ? `${ready.reason}${ready.message ? `: ${ready.message}` : ''}` : undefined };
}

export interface DirectLifecycleOptions {
  /** How long a call waits for a resumed sandbox; 0: never resume. */
  readonly holdMs: number;
  readonly onActivityError: (err: unknown) => void;
  /** @default ACTIVITY_WRITE_INTERVAL_SECONDS * 1000 */
  readonly activityIntervalMs?: number;
}

export class DirectLifecycle {
  readonly activity: ActivityRecorder;
  readonly holdMs: number;
  /** One resume per sandbox (`namespace/name`): every call for it waits on this until it is Ready or the hold ends. */
  private readonly waking = new Map<string, Promise<Sandbox>>();

  constructor(private readonly kube: KubeClient, options: DirectLifecycleOptions) {
    this.holdMs = options.holdMs;
    this.activity = new ActivityRecorder({ client: kube, intervalMs: options.activityIntervalMs, onError: options.onActivityError });
  }

  /** Marks the sandbox active until the returned function is called, when it has an idle timeout. */
  track(address: SandboxAddress, idleTimeoutSeconds: number | undefined): () => void {
    return idleTimeoutSeconds ? this.activity.begin(address.namespace, address.sandbox) : () => undefined;
  }

  /** The Sandbox once it serves: resumed first when suspended, waited for when starting. Shared by concurrent callers. */
  wake(address: SandboxAddress): Promise<Sandbox> {
    const key = `${address.namespace}/${address.sandbox}`;
    let waking = this.waking.get(key);
    if (!waking) {
      waking = this.resume(address).finally(() => this.waking.delete(key));
      this.waking.set(key, waking);
    }
    return waking;
  }

  /** Writes the activity still pending. */
  stop(): Promise<void> {
    return this.activity.stop();
  }

  private async resume({ namespace, sandbox: name }: SandboxAddress): Promise<Sandbox> {
    const hold = this.holdMs > 0 ? AbortSignal.timeout(this.holdMs) : undefined;
    const sandbox = await this.kube.get<Sandbox>(Resources.sandboxes, namespace, name, { signal: hold });
    if (isServing(sandbox)) return sandbox;
    if (!hold) throw new SandboxError(`sandbox ${namespace}/${name} is ${sandbox.spec.operatingMode === 'Suspended' ? 'suspended' : 'not Ready'} and connection.resumeHoldSeconds is 0: resume it first (handle.resume())`);
    if (sandbox.spec.operatingMode === 'Suspended') {
      try {
        await setRunning(this.kube, namespace, name, hold);
      } catch (err) {
        if (isForbidden(err)) throw new ResumeForbiddenError(namespace, name, resumePermission(namespace), err.message);
        throw err;
      }
    }
    return watchUntil(this.kube, {
      resource: Resources.sandboxes, namespace, name, judge: judgeServing,
      timedOut: (last) => new ResumeTimeoutError(namespace, name, this.holdMs, last.reason),
      deleted: () => new SandboxError(`sandbox ${namespace}/${name} was deleted while resuming`),
    }, this.holdMs);
  }
}

/** What a caller needs to resume a sandbox in `namespace` directly (TeamSandboxes grants it to the team's agents). */
export const resumePermission = (namespace: string): string =>
  `needs verb "patch" on ${SANDBOX.plural} in API group ${SANDBOX.group}, namespace ${namespace} (spec.operatingMode)`;
