// Claim status: expiry time from the lifecycle, the Ready condition (failure reason, or the Sandbox's Ready copied),
// the copied Finished condition, and the bound sandbox name/podIPs; equality for skipping no-op writes.
import { CLAIM_REASON, CONDITION } from '../../api/conditions';
import type { Condition, Sandbox, SandboxClaim, SandboxClaimStatus } from '../../api/types';
import type { ConditionInput } from '../shared/condition-list';
import type { ClaimFailure } from './failure';
import { findCondition, setCondition } from '../shared/condition-list';

/**
 * When the claim expires (ms since epoch), or undefined: the earlier of shutdownTime and the LTT of the claim's
 * own copy of Finished=True plus ttlSecondsAfterFinished.
 */
export function claimExpiry(claim: SandboxClaim): number | undefined {
  const lifecycle = claim.spec.lifecycle;
  if (!lifecycle) return undefined;
  const candidates: number[] = [];
  if (lifecycle.shutdownTime) candidates.push(Date.parse(lifecycle.shutdownTime));
  const finished = findCondition(claim.status?.conditions, CONDITION.finished);
  if (lifecycle.ttlSecondsAfterFinished !== undefined && finished?.status === 'True' && finished.lastTransitionTime) {
    candidates.push(Date.parse(finished.lastTransitionTime) + lifecycle.ttlSecondsAfterFinished * 1000);
  }
  const valid = candidates.filter((t) => !Number.isNaN(t));
  return valid.length > 0 ? Math.min(...valid) : undefined;
}

export interface StatusInputs {
  claim: SandboxClaim;
  /** The bound Sandbox, when there is one. */
  sandbox?: Sandbox;
  /** Why this pass did not reach a healthy state. */
  failure?: ClaimFailure;
  /** The claim has expired (Ready=False ClaimExpired). */
  expired?: boolean;
  now: Date;
}

/** Ready as the claim reports it: our own reason (stamped by setCondition), or the Sandbox's condition verbatim. */
function readyCondition({ claim, sandbox, failure, expired }: StatusInputs): ConditionInput | Condition {
  const generation = claim.metadata.generation;
  const make = (reason: string, message: string): ConditionInput => ({ type: CONDITION.ready, status: 'False', reason, message, observedGeneration: generation });
  if (expired) {
    return make(CLAIM_REASON.claimExpired, 'Claim expired. Sandbox cleanup initiated.');
  }
  if (failure) return make(failure.reason, failure.message);
  const sandboxReady = findCondition(sandbox?.status?.conditions, CONDITION.ready);
  if (!sandbox) return make(CLAIM_REASON.sandboxMissing, 'Sandbox does not exist');
  if (!sandboxReady) return make(CLAIM_REASON.sandboxNotReady, `Sandbox "${sandbox.metadata.name}" has no Ready condition yet`);
  return { ...sandboxReady, observedGeneration: generation };
}

/** The status the claim should have after this pass. */
export function desiredClaimStatus(inputs: StatusInputs): SandboxClaimStatus {
  const { claim, sandbox, failure } = inputs;
  const previous = claim.status ?? {};
  const ready = readyCondition(inputs);
  const conditions = 'lastTransitionTime' in ready
    ? [...(previous.conditions ?? []).filter((c) => c.type !== CONDITION.ready), ready]
    : setCondition(previous.conditions, ready, inputs.now);
  // Copied verbatim: Finished, and our ActionsCompleted. A sandbox that no longer reports one drops the copy; when the
  // sandbox is gone the copies stay (Finished is the TTL source, the actions' results stay readable).
  for (const type of [CONDITION.finished, CONDITION.actionsCompleted]) {
    const copied = findCondition(sandbox?.status?.conditions, type);
    const at = conditions.findIndex((c) => c.type === type);
    if (copied) {
      if (at >= 0) conditions[at] = { ...copied };
      else conditions.push({ ...copied });
    } else if (sandbox && at >= 0) {
      conditions.splice(at, 1);
    }
  }
  conditions.sort((a, b) => a.type.localeCompare(b.type));
  const status: SandboxClaimStatus = { conditions };
  const actions = sandbox ? sandbox.status?.actions : previous.actions;
  if (actions?.length) status.actions = actions.map((a) => ({ ...a }));
  if (sandbox) {
    status.sandbox = { name: sandbox.metadata.name, ...(sandbox.status?.podIPs?.length ? { podIPs: [...sandbox.status.podIPs] } : {}) };
  } else if (previous.sandbox?.name && failure?.retry !== 'none') {
    // A transient failure never wipes the binding: the next pass must find the same sandbox again.
    status.sandbox = previous.sandbox;
  } else if (previous.sandbox?.name) {
    status.sandbox = { name: previous.sandbox.name };
  }
  return status;
}

/** Deep equality of the parts of status we write. */
export function statusEqual(a: SandboxClaimStatus | undefined, b: SandboxClaimStatus): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

function normalise(s: SandboxClaimStatus | undefined): unknown {
  const conditions = [...(s?.conditions ?? [])].sort((a, b) => a.type.localeCompare(b.type)).map((c) => ({
    type: c.type, status: c.status, reason: c.reason ?? '', message: c.message ?? '', lastTransitionTime: c.lastTransitionTime ?? '', observedGeneration: c.observedGeneration ?? 0,
  }));
  return { conditions, name: s?.sandbox?.name ?? '', podIPs: s?.sandbox?.podIPs ?? [], actions: s?.actions ?? [] };
}

/** True when the claim's Ready condition is True. */
export function isClaimReady(status: SandboxClaimStatus | undefined): boolean {
  return findCondition(status?.conditions, CONDITION.ready)?.status === 'True';
}
