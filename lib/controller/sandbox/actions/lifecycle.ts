// The Sandbox reconciler's lifecycle step: startup actions (plan.ts decides, runner.ts runs them through the
// sandbox's runtime), the completion policy when they end or at shutdownTime, and idle suspend after
// spec.idleTimeoutSeconds without activity (the router's last-activity annotation, the Ready transition, the last
// action's end, whichever is latest). Suspending is a spec patch (operatingMode Suspended plus the suspend-reason
// annotation); the next pass deletes the Pod as for a manual suspend.
import { CONDITION, LIFECYCLE_EVENT } from '../../../api/conditions';
import { SANDBOX } from '../../../api/groups';
import { ACTIVITY_WRITE_INTERVAL_SECONDS, SANDBOX_RUNTIME_PORT, SUSPEND_REASON, type SuspendReason } from '../../../api/lifecycle';
import { ANNOTATION } from '../../../api/metadata-keys';
import type { Sandbox, SandboxActionStatus, SandboxStatus } from '../../../api/types';
import type { KubeApi } from '../../../kube/client';
import { isNotFound } from '../../../kube/errors';
import { Resources } from '../../../kube/resources';
import type { EventRecorder } from '../../../controller-runtime/event-recorder';
import type { ReadYourWrites } from '../../../controller-runtime/read-your-writes';
import { findCondition } from '../../shared/condition-list';
import { planActions, type ActionsPlan, type ActionsView } from './plan';
import type { ActionRunner } from './runner';

/** What the lifecycle step reports to the process's metrics. */
export interface LifecycleMetrics {
  actionFinished(result: SandboxActionStatus['state'], seconds: number): void;
  suspended(reason: SuspendReason): void;
}

export interface LifecycleDeps {
  client: KubeApi;
  runner: ActionRunner;
  events: EventRecorder;
  sandboxes: ReadYourWrites<Sandbox>;
  metrics?: LifecycleMetrics;
}

const ref = (sandbox: Sandbox) => ({ apiVersion: SANDBOX.apiVersion, kind: SANDBOX.kind, metadata: sandbox.metadata });

export class SandboxLifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  plan(sandbox: Sandbox, view: ActionsView): ActionsPlan | undefined {
    return planActions(sandbox, this.deps.runner, view);
  }

  /** Before the status write: cancel what must stop, apply the completion policy when it is due. */
  async beforeWrite(sandbox: Sandbox, plan: ActionsPlan): Promise<void> {
    const uid = sandbox.metadata.uid ?? '';
    if (plan.cancel) this.deps.runner.cancel(uid, plan.cancel);
    for (const [i, s] of plan.statuses.entries()) {
      const before = sandbox.status?.actions?.[i];
      if (s.finishedAt && s.startedAt && before?.state !== s.state && s.state !== 'Skipped') {
        this.deps.metrics?.actionFinished(s.state, (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000);
      }
    }
    if (!plan.complete) return;
    const { failed, reason } = plan.complete;
    const message = plan.condition.message ?? '';
    if (failed) this.deps.events.warning(ref(sandbox), LIFECYCLE_EVENT.actionsFailed, message);
    else this.deps.events.normal(ref(sandbox), LIFECYCLE_EVENT.actionsSucceeded, message);
    const startup = sandbox.spec.startup!;
    const policy = failed && startup.keepOnFailure ? 'KeepRunning' : startup.completionPolicy ?? 'Suspend';
    if (policy === 'Suspend') await this.suspend(sandbox, reason);
    else if (policy === 'Delete') await this.delete(sandbox);
  }

  /** After the status write stored `plan`: start its action, drop recorded outcomes. */
  afterWrite(key: string, sandbox: Sandbox, plan: ActionsPlan, podIP: string | undefined): void {
    const uid = sandbox.metadata.uid ?? '';
    if (plan.recorded) this.deps.runner.forget(uid);
    if (plan.start !== undefined && podIP) {
      const address = podIP.includes(':') ? `[${podIP}]:${SANDBOX_RUNTIME_PORT}` : `${podIP}:${SANDBOX_RUNTIME_PORT}`;
      this.deps.runner.start(key, uid, plan.start, address, sandbox.spec.startup!.actions[plan.start]!);
    }
  }

  /**
   * Idle suspend: ms until the Sandbox becomes idle (to requeue), or 0 after suspending it now; undefined when it has no
   * idle timeout or is not a Ready, running Sandbox with its actions done.
   */
  async idle(sandbox: Sandbox, status: SandboxStatus, actionsDone: boolean, now: number): Promise<number | undefined> {
    const timeout = sandbox.spec.idleTimeoutSeconds;
    const ready = findCondition(status.conditions, CONDITION.ready);
    if (!timeout || ready?.status !== 'True' || !actionsDone || sandbox.spec.operatingMode === 'Suspended') return undefined;
    const lastActive = Math.max(
      Date.parse(sandbox.metadata.annotations?.[ANNOTATION.lastActivity] ?? '') || 0,
      Date.parse(ready.lastTransitionTime ?? '') || 0,
      ...(status.actions ?? []).map((a) => Date.parse(a.finishedAt ?? '') || 0),
    );
    // Activity the router saw but has not written yet (at most one write interval old) is not idleness.
    const left = lastActive + (timeout + ACTIVITY_WRITE_INTERVAL_SECONDS) * 1000 - now;
    if (left > 0) return left;
    await this.suspend(sandbox, SUSPEND_REASON.idle);
    return 0;
  }

  private async suspend(sandbox: Sandbox, reason: SuspendReason): Promise<void> {
    if (sandbox.spec.operatingMode === 'Suspended') return;
    const { namespace = '', name = '' } = sandbox.metadata;
    try {
      await this.deps.sandboxes.write(namespace, name, () => this.deps.client.mergePatch<Sandbox>(Resources.sandboxes, namespace, name,
        { metadata: { annotations: { [ANNOTATION.suspendReason]: reason } }, spec: { operatingMode: 'Suspended' } },
        { resourceVersion: sandbox.metadata.resourceVersion }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    this.deps.metrics?.suspended(reason);
    this.deps.events.normal(ref(sandbox), LIFECYCLE_EVENT.suspended, `Suspended (${reason}): the Pod is deleted, PVCs and the Service are kept`);
  }

  private async delete(sandbox: Sandbox): Promise<void> {
    const { namespace = '', name = '' } = sandbox.metadata;
    await this.deps.client.delete(Resources.sandboxes, namespace, name, { preconditions: { uid: sandbox.metadata.uid } }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}
