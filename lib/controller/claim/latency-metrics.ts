// Claim observations on the shared metrics (names and buckets are defined once in lib/controller/metrics): latency
// histograms once per claim on its first Ready, and the claim creation counter by launch type.
import { ANNOTATION, LABEL, normaliseCreatedBy } from '../../api/metadata-keys';
import type { Sandbox, SandboxClaim } from '../../api/types';
import type { ControllerMetrics } from '../metrics';
import { findCondition } from '../shared/condition-list';

const UNKNOWN_TEMPLATE = '__unknown__';

export type ClaimMetrics = Pick<ControllerMetrics,
  'claimCreationTotal' | 'claimStartupLatency' | 'claimControllerStartupLatency' | 'clientClaimStartupLatency' | 'sandboxCreationLatency'>;

/** A claim got its sandbox (adopted warm or created cold). */
export function recordSandboxBound(metrics: ClaimMetrics, claim: SandboxClaim, template: string, launchType: 'warm' | 'cold', podReady: boolean): void {
  metrics.claimCreationTotal.inc({
    namespace: claim.metadata.namespace ?? '', sandbox_template: template, launch_type: launchType,
    warmpool_name: claim.spec.warmPoolRef.name, pod_condition: podReady ? 'ready' : 'not_ready',
    created_by: normaliseCreatedBy(claim.metadata.labels?.[LABEL.createdBy]),
  });
}

/** First Ready of a claim: observe every latency whose start time is known. */
export function recordClaimReady(metrics: ClaimMetrics, claim: SandboxClaim, sandbox: Sandbox | undefined, controllerFirstObservedAt: number | undefined, readyAt: number): void {
  const labels = {
    launch_type: sandbox?.metadata.labels?.[LABEL.launchType] ?? 'unknown',
    sandbox_template: sandbox?.metadata.annotations?.[ANNOTATION.templateRef] ?? UNKNOWN_TEMPLATE,
  };
  const since = (start: number | undefined, histogram: ClaimMetrics['claimStartupLatency']) => {
    if (start !== undefined && readyAt >= start) histogram.observe(labels, readyAt - start);
  };
  const annotations = claim.metadata.annotations ?? {};
  since(parseTime(annotations[ANNOTATION.webhookFirstObservedAt]), metrics.claimStartupLatency);
  since(controllerFirstObservedAt, metrics.claimControllerStartupLatency);
  since(parseTime(annotations[ANNOTATION.clientFirstRequestedAt]), metrics.clientClaimStartupLatency);
  const created = parseTime(sandbox?.metadata.creationTimestamp);
  const ready = findCondition(sandbox?.status?.conditions, 'Ready');
  const readyLtt = ready?.status === 'True' ? parseTime(ready.lastTransitionTime) : undefined;
  if (created !== undefined && readyLtt !== undefined && readyLtt >= created) {
    metrics.sandboxCreationLatency.observe({ namespace: claim.metadata.namespace ?? '', ...labels }, readyLtt - created);
  }
}

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
