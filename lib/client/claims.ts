// Claim lifecycle for the SDK: idempotent creation against a warm pool (TTL via lifecycle.shutdownTime +
// Delete) and waiting for Ready with one watch, failing fast on terminal reasons.
import { randomBytes } from 'node:crypto';
import { ANNOTATION, CONDITION, LABEL, TERMINAL_CLAIM_REASONS, type SandboxClaim, type SandboxStartup } from '../api';
import { isAlreadyExists, isNotFound, Resources, type KubeClient } from '../kube';
import { ClaimConflictError, ClaimFailedError, ClaimTimeoutError } from './errors';
import { watchUntil, type Verdict } from './watch-until';

export interface ClaimRequest {
  readonly namespace: string;
  readonly warmPool: string;
  /** Caller-chosen name makes creation idempotent. @default "sandbox-claim-<8 hex>" */
  readonly name?: string;
  /** Delete the claim (and its sandbox) this long after creation. @default - no expiry */
  readonly shutdownAfterSeconds?: number;
  readonly labels?: Record<string, string>;
  readonly podLabels?: Record<string, string>;
  readonly podAnnotations?: Record<string, string>;
  /** Actions the claimed sandbox runs once Ready (a warm one at once), then its completion policy. @default - none */
  readonly startup?: SandboxStartup;
  /** Suspend the sandbox after this many seconds without a request (at least 60). @default - the template's, else never */
  readonly idleTimeoutSeconds?: number;
}

export function claimManifest(req: ClaimRequest, now = new Date()): SandboxClaim {
  const name = req.name ?? `sandbox-claim-${randomBytes(4).toString('hex')}`;
  const podMetadata = req.podLabels || req.podAnnotations ? { labels: req.podLabels, annotations: req.podAnnotations } : undefined;
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
    kind: 'SandboxClaim',
    metadata: {
      name, namespace: req.namespace,
      labels: { ...req.labels, [LABEL.createdBy]: 'ts-client' },
      annotations: { [ANNOTATION.clientFirstRequestedAt]: now.toISOString() },
    },
    spec: {
      warmPoolRef: { name: req.warmPool },
      ...(req.shutdownAfterSeconds !== undefined
        ? { lifecycle: { shutdownTime: new Date(now.getTime() + req.shutdownAfterSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z'), shutdownPolicy: 'Delete' as const } }
        : {}),
      ...(podMetadata ? { additionalPodMetadata: podMetadata } : {}),
      ...(req.startup ? { startup: req.startup } : {}),
      ...(req.idleTimeoutSeconds !== undefined ? { idleTimeoutSeconds: req.idleTimeoutSeconds } : {}),
    },
  };
}

/** Creates the claim, or returns the existing one of that name when it targets the same pool. */
export async function createClaim(kube: KubeClient, req: ClaimRequest, signal?: AbortSignal): Promise<{ claim: SandboxClaim; created: boolean }> {
  const manifest = claimManifest(req);
  try {
    return { claim: await kube.create(Resources.sandboxClaims, manifest, { signal }), created: true };
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const existing = await kube.get<SandboxClaim>(Resources.sandboxClaims, req.namespace, manifest.metadata.name!, { signal });
  if (existing.spec.warmPoolRef.name !== req.warmPool) {
    throw new ClaimConflictError(req.namespace, manifest.metadata.name!, `warmPoolRef.name is ${JSON.stringify(existing.spec.warmPoolRef.name)}, not ${JSON.stringify(req.warmPool)}`);
  }
  return { claim: existing, created: false };
}


/** Throws ClaimFailedError when the claim's Ready reason is one waiting cannot cure. */
export function failOnTerminalReason(claim: SandboxClaim): { reason?: string; message?: string } {
  const ready = claim.status?.conditions?.find((c) => c.type === CONDITION.ready);
  const { namespace = '', name = '' } = claim.metadata;
  if (ready?.status === 'False' && TERMINAL_CLAIM_REASONS.includes(ready.reason ?? '')) {
    throw new ClaimFailedError(namespace, name, ready.reason!, ready.message ?? '');
  }
  return { reason: ready?.reason, message: ready?.message };
}

function judgeReady(claim: SandboxClaim): Verdict<string> {
  const ready = claim.status?.conditions?.find((c) => c.type === CONDITION.ready);
  const sandboxName = claim.status?.sandbox?.name;
  if (ready?.status === 'True' && sandboxName) return { done: true, value: sandboxName };
  return { done: false, ...failOnTerminalReason(claim) };
}

/**
 * Waits until the claim is Ready with a bound sandbox and returns the sandbox name. One watch (restarted only
 * when the server ends it); throws ClaimFailedError on terminal reasons or deletion, ClaimTimeoutError on timeout.
 * `signal` (e.g. the caller's overall deadline) ends the wait early, as the timeout does.
 */
export function waitForClaimReady(kube: KubeClient, namespace: string, name: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return waitForClaim(kube, namespace, name, timeoutMs, judgeReady, signal);
}

/** Watches the claim until `judge` says done (or throws); the watch, timeout and signal as waitForClaimReady's. */
export function waitForClaim<T>(
  kube: KubeClient, namespace: string, name: string, timeoutMs: number, judge: (claim: SandboxClaim) => Verdict<T>, signal?: AbortSignal,
): Promise<T> {
  return watchUntil(kube, {
    resource: Resources.sandboxClaims, namespace, name, judge,
    timedOut: (last) => new ClaimTimeoutError(namespace, name, timeoutMs, last.reason, last.message),
    deleted: () => new ClaimFailedError(namespace, name, 'Deleted', 'the claim was deleted while waiting for Ready'),
  }, timeoutMs, signal);
}

/** Deletes a claim (and, through ownership, its sandbox). Idempotent: an already deleted claim is success. */
export async function deleteClaim(kube: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<void> {
  try {
    await kube.delete(Resources.sandboxClaims, namespace, name, { propagationPolicy: 'Foreground', signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
