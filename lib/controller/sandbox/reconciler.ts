// SandboxReconciler: one pass over a Sandbox — expiry first (mark, then tear down), else PVCs → Pod → Service,
// conditions, and a /status merge patch only when the status changed (held back while a young Sandbox is still
// starting, see status-window.ts). Errors are reported as Ready=False ReconcilerError and returned for
// backoff; the MultiplePods refusal is a stable state, not an error.
import type { Pod } from 'kubernetes-types/core/v1';
import { CONDITION, SANDBOX_REASON } from '../../api/conditions';
import { LABEL } from '../../api/metadata-keys';
import { nameHash } from '../../api/name-hash';
import type { Sandbox, SandboxStatus } from '../../api/types';
import type { KubeApi } from '../../kube/client';
import { Resources } from '../../kube/resources';
import { splitKey } from '../../kube/types';
import { isInvalid } from '../../kube/errors';
import { findCondition } from '../shared/condition-list';
import type { EventRecorder } from '../../controller-runtime/event-recorder';
import { isControlledBy, sandboxOwner } from '../shared/ownership';
import type { ReconcileResult } from '../../controller-runtime/controller';
import type { SandboxCaches } from './caches';
import { ignoreNotFound, syncPvcs, syncService, type ServiceState } from './children';
import { expiredConditions, ownedPod, sandboxConditions, type PodState } from './ready-conditions';
import { ReadYourWrites } from '../../controller-runtime/read-your-writes';
import { ownedPods, syncPod } from './pod-sync';
import { statusNeedsWrite, statusPatch } from './status';
import { isStartingStatus, StatusWindow } from './status-window';
import { SandboxLifecycle, type LifecycleMetrics } from './actions/lifecycle';
import { ActionRunner } from './actions/runner';
import { runtimeExecutor, type ActionExecutor } from './actions/runtime-exec';
import { SUSPEND_REASON } from '../../api/lifecycle';
import { ANNOTATION } from '../../api/metadata-keys';
import { setCondition } from '../shared/condition-list';

/** Requeue floor while a shutdownTime is pending: expiry may fire up to this late. */
export const SHUTDOWN_REQUEUE_FLOOR_MS = 2000;

export interface SandboxReconcilerOptions {
  client: KubeApi;
  caches: SandboxCaches;
  events: EventRecorder;
  /** `--cluster-domain`, the suffix of status.serviceFQDN. */
  clusterDomain: string;
  /** `--sandbox-status-coalesce-window` in ms: how long a starting Sandbox's not-Ready status writes are held. @default 0 */
  statusCoalesceWindowMs?: number;
  /** Injectable clock (ms since the epoch). @default Date.now */
  now?: () => number;
  /** Called when a pass turns Ready to True (creation-latency metric); `at` is the pass time in ms. */
  onReady?: (sandbox: Sandbox, at: number) => void;
  /** Runs startup actions. @default the in-sandbox runtime's streamed exec API */
  executor?: ActionExecutor;
  /** Re-queues a Sandbox whose action ended (the controller wires it to its queue). @default none */
  requeue?: (key: string) => void;
  /** Action and suspend metrics. @default none */
  lifecycleMetrics?: LifecycleMetrics;
}

function isReady(status: SandboxStatus | undefined): boolean {
  return findCondition(status?.conditions, CONDITION.ready)?.status === 'True';
}

function errorText(errors: unknown[]): string | undefined {
  return errors.length ? errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ') : undefined;
}

export class SandboxReconciler {
  private readonly now: () => number;
  private readonly statusWindow: StatusWindow;

  /** Sandboxes and Pods as this controller last wrote them, until the caches catch up (read-your-writes). */
  private readonly sandboxes: ReadYourWrites<Sandbox>;
  private readonly pods: ReadYourWrites<Pod>;
  private readonly caches: SandboxCaches;
  /** Startup actions this process runs; stopped on shutdown so the next leader marks them interrupted. */
  readonly actions: ActionRunner;
  private readonly lifecycle: SandboxLifecycle;

  constructor(private readonly options: SandboxReconcilerOptions) {
    this.now = options.now ?? Date.now;
    this.sandboxes = new ReadYourWrites(options.caches.sandboxes, this.now);
    this.pods = new ReadYourWrites(options.caches.pods, this.now);
    this.caches = { ...options.caches, pods: this.pods };
    this.statusWindow = new StatusWindow(options.statusCoalesceWindowMs ?? 0);
    this.actions = new ActionRunner(options.executor ?? runtimeExecutor, (key) => options.requeue?.(key));
    this.lifecycle = new SandboxLifecycle({
      client: options.client, runner: this.actions, events: options.events, sandboxes: this.sandboxes, metrics: options.lifecycleMetrics,
    });
  }

  /** Sandbox deletion event (the controller wires it): drops our remembered copy and cancels its action. */
  observeDeletedSandbox(sandbox: Sandbox): void {
    this.sandboxes.observed(sandbox);
    if (sandbox.metadata.uid) this.actions.forget(sandbox.metadata.uid);
  }

  /** Pod deletion event (the controller wires it): drops our remembered copy. */
  observeDeletedPod(pod: Pod): void {
    this.pods.observed(pod);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.caches.sandboxes.get(namespace, name);
    if (!cached || cached.metadata.deletionTimestamp) {
      this.statusWindow.forget(key);
      return {};
    }
    // Our own newer write when the cache lags, so a pass never re-sends the annotation or status write it just made.
    const sandbox = this.sandboxes.get(namespace, name) ?? cached;
    // One clock read per pass: expiry, the status window and every timestamp of this pass agree.
    const now = this.now();
    const windowLeft = this.statusWindow.remaining(key, sandbox.metadata.creationTimestamp, now);
    const shutdownAt = sandbox.spec.shutdownTime ? Date.parse(sandbox.spec.shutdownTime) : undefined;
    const shutdownReached = shutdownAt !== undefined && now >= shutdownAt;
    // With startup actions, shutdownTime ends the actions and applies their completion policy instead of expiring.
    const hasStartup = Boolean(sandbox.spec.startup?.actions?.length);
    if (shutdownReached && !hasStartup) return this.expire(sandbox, new Date(now));

    let podMetadata: (() => Promise<void>) | undefined;
    const ctx = {
      client: this.options.client, caches: this.caches, sandbox, events: this.options.events,
      writes: { sandboxes: this.sandboxes, pods: this.pods },
      deferPodMetadata: (run: () => Promise<void>) => { podMetadata = run; },
    };
    const errors: unknown[] = [];
    await syncPvcs(ctx).catch((err) => errors.push(err));
    const suspended = sandbox.spec.operatingMode === 'Suspended';
    if (suspended && !sandbox.metadata.annotations?.[ANNOTATION.suspendReason] && ownedPods(ctx).some((p) => !p.metadata?.deletionTimestamp)) {
      this.options.lifecycleMetrics?.suspended(SUSPEND_REASON.manual);
    }
    let podState: PodState;
    try {
      podState = await syncPod(ctx, suspended);
    } catch (err) {
      errors.push(err);
      podState = { kind: 'unknown' };
    }
    let service: ServiceState = { required: false, exists: false };
    if (podState.kind !== 'multiple') {
      try {
        service = await syncService(ctx);
      } catch (err) {
        errors.push(err);
      }
    }

    // The API server refusing a child as invalid is permanent until the spec changes (which queues a new pass).
    const permanent = errors.length > 0 && errors.every(isInvalid);
    const status = this.runningStatus(sandbox, podState, service, errorText(errors), permanent, new Date(now));
    const plan = this.lifecycle.plan(sandbox, { ready: isReady(status) && !suspended, shutdownReached, now: new Date(now) });
    if (plan) {
      status.actions = plan.statuses;
      status.conditions = setCondition(status.conditions, plan.condition, new Date(now));
      await this.lifecycle.beforeWrite(sandbox, plan);
    }
    const actionsDone = !plan || plan.condition.status !== 'Unknown';
    // Once the actions are done, shutdownTime has nothing left to do for a Sandbox with startup actions.
    let requeueAfter = shutdownAt !== undefined && !(hasStartup && (shutdownReached || actionsDone)) ? Math.max(shutdownAt - now, SHUTDOWN_REQUEUE_FLOOR_MS) : undefined;
    const idleIn = errors.length ? undefined : await this.lifecycle.idle(sandbox, status, actionsDone, now);
    if (idleIn) requeueAfter = Math.min(requeueAfter ?? idleIn, idleIn);
    if (windowLeft > 0 && !errors.length && isStartingStatus(status) && statusNeedsWrite(sandbox.status, status)) {
      // Held: the pass at the deadline writes whatever is current by then.
      requeueAfter = Math.min(requeueAfter ?? windowLeft, windowLeft);
    } else {
      await this.writeStatus(sandbox, status);
      if (plan) this.lifecycle.afterWrite(key, sandbox, plan, status.podIPs?.[0]);
    }
    if (isReady(status) && !isReady(sandbox.status)) this.options.onReady?.(sandbox, now);
    if (errors.length && !permanent) throw new Error(`Sandbox ${key}: ${errorText(errors)}`);
    return { requeueAfter, deferred: podMetadata && { kind: 'pod-metadata', run: podMetadata } };
  }

  private runningStatus(sandbox: Sandbox, podState: PodState, service: ServiceState, error: string | undefined, errorIsPermanent: boolean, now: Date): SandboxStatus {
    const pod = ownedPod(podState);
    const name = sandbox.metadata.name ?? '';
    const conditions = sandboxConditions(sandbox.status?.conditions, {
      generation: sandbox.metadata.generation ?? 0,
      suspended: sandbox.spec.operatingMode === 'Suspended',
      pod: podState, error, errorIsPermanent,
      serviceRequired: service.required, serviceExists: service.exists,
    }, now);
    const inUse = service.required && service.exists;
    return {
      conditions,
      selector: pod ? `${LABEL.sandboxNameHash}=${nameHash(name)}` : sandbox.status?.selector,
      podIPs: pod?.status?.podIPs?.map((p) => p.ip).filter((ip): ip is string => Boolean(ip)),
      nodeName: pod?.spec?.nodeName,
      service: inUse ? name : undefined,
      serviceFQDN: inUse ? `${name}.${sandbox.metadata.namespace}.svc.${this.options.clusterDomain}` : undefined,
    };
  }

  /** Expired: first mark Ready=False SandboxExpired, on later passes delete the Pod and Service (and, with Delete, the Sandbox). */
  private async expire(sandbox: Sandbox, now: Date): Promise<ReconcileResult> {
    const generation = sandbox.metadata.generation ?? 0;
    const current = sandbox.status ?? {};
    if (findCondition(current.conditions, CONDITION.ready)?.reason !== SANDBOX_REASON.sandboxExpired) {
      await this.writeStatus(sandbox, { ...current, conditions: expiredConditions(current.conditions, generation, now) });
      return { requeueAfter: 1 };
    }
    const { client } = this.options;
    const caches = this.caches;
    const namespace = sandbox.metadata.namespace ?? '';
    const name = sandbox.metadata.name ?? '';
    const ctx = { client, caches, sandbox };
    for (const pod of ownedPods(ctx)) {
      if (pod.metadata?.deletionTimestamp) continue;
      await client.delete(Resources.pods, namespace, pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid } }).catch(ignoreNotFound);
    }
    const service = caches.services.get(namespace, name);
    if (service && !service.metadata?.deletionTimestamp && isControlledBy(service.metadata, sandboxOwner(sandbox))) {
      await client.delete(Resources.services, namespace, name, { preconditions: { uid: service.metadata?.uid } }).catch(ignoreNotFound);
    }
    if (sandbox.spec.shutdownPolicy === 'Delete') {
      await client.delete(Resources.sandboxes, namespace, name, { preconditions: { uid: sandbox.metadata.uid } }).catch(ignoreNotFound);
      return {};
    }
    await this.writeStatus(sandbox, { conditions: expiredConditions(current.conditions, generation, now) });
    return {};
  }

  private async writeStatus(sandbox: Sandbox, next: SandboxStatus): Promise<void> {
    if (!statusNeedsWrite(sandbox.status, next)) return;
    try {
      const { namespace = '', name = '' } = sandbox.metadata;
      await this.sandboxes.write(namespace, name, () => this.options.client.mergePatch<Sandbox>(Resources.sandboxes, namespace, name,
        statusPatch(next), { subresource: 'status' }));
    } catch (err) {
      ignoreNotFound(err);
    }
  }
}
