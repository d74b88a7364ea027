// Readiness classification of one warm-pool member against the readiness grace period. Past the grace period a
// member that cannot be scheduled (Unschedulable, or scheduling-gated by e.g. Kueue — #1735) is HELD: replacing it
// would only add another pending pod and orphan quota. A member whose images are still being pulled is kept too
// (multi-GB images legitimately take minutes — #1274). Anything else still not Ready is stuck and gets replaced.
import type { Pod } from 'kubernetes-types/core/v1';
import { CONDITION, type Sandbox } from '../../api';

export type MemberHealth =
  | { state: 'ready' }
  /** Within the grace period; re-check at `deadline` (epoch ms). */
  | { state: 'starting'; deadline: number }
  /** Past the grace period but cannot be placed; kept and reported. */
  | { state: 'held'; reason: 'Unschedulable' | 'SchedulingGated' }
  /** Past the grace period, scheduled, containers still being created (image pull). */
  | { state: 'pulling' }
  | { state: 'stuck' };

/** Slack after the grace deadline so the re-check sees the member past it. */
export const GRACE_SLACK_MS = 2000;

const STARTING_REASONS = new Set(['ContainerCreating', 'PodInitializing']);

export function isSandboxReady(sandbox: Sandbox): boolean {
  return sandbox.status?.conditions?.some((c) => c.type === CONDITION.ready && c.status === 'True') ?? false;
}

function unplaceable(pod: Pod): 'Unschedulable' | 'SchedulingGated' | undefined {
  if (pod.spec?.schedulingGates?.length) return 'SchedulingGated';
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status !== 'False') return undefined;
  return scheduled.reason === 'Unschedulable' || scheduled.reason === 'SchedulingGated' ? scheduled.reason : undefined;
}

function stillPulling(pod: Pod): boolean {
  if (pod.status?.phase !== 'Pending' || !pod.spec?.nodeName) return false;
  const statuses = [...(pod.status.initContainerStatuses ?? []), ...(pod.status.containerStatuses ?? [])];
  const waiting = statuses.filter((s) => s.state?.waiting);
  return waiting.length > 0 && waiting.every((s) => STARTING_REASONS.has(s.state!.waiting!.reason ?? ''));
}

export function classifyMember(sandbox: Sandbox, pod: Pod | undefined, now: number, graceMs: number): MemberHealth {
  if (isSandboxReady(sandbox)) return { state: 'ready' };
  const parsed = Date.parse(sandbox.metadata.creationTimestamp ?? '');
  const created = Number.isNaN(parsed) ? now : parsed;
  if (now - created <= graceMs) return { state: 'starting', deadline: created + graceMs + GRACE_SLACK_MS };
  if (pod && !pod.metadata?.deletionTimestamp) {
    const reason = unplaceable(pod);
    if (reason) return { state: 'held', reason };
    if (stillPulling(pod)) return { state: 'pulling' };
  }
  return { state: 'stuck' };
}
