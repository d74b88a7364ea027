// The controller flags parsed once into the typed settings the controllers read (durations as ms, switches as
// booleans), plus the one field manager every write of this process carries.
import type { ControllerConfig } from '../api/controller-flags';
import { parseDuration } from '../api/duration';

/** The field manager of every write this controller makes (server-side field ownership, audit). */
export const FIELD_MANAGER = 'agent-sandbox-controller';

/** Upstream warmCandidateGracePeriod: how long a claim waits for starting members before it cold-starts. */
const WARM_CANDIDATE_GRACE_MS = 2000;

export interface SandboxSettings {
  workers: number;
  /** `--cluster-domain`, the suffix of status.serviceFQDN. */
  clusterDomain: string;
  /** How long a starting Sandbox's not-Ready status writes are held and merged into one. */
  statusCoalesceWindowMs: number;
}

export interface WarmPoolSettings {
  workers: number;
  /** Most members created or deleted in one pass. */
  maxBatchSize: number;
  /** Hold before refilling after members were claimed. */
  replenishDelayMs: number;
  /** Member creations per second per pool; 0 = unlimited. */
  maxRefillRate: number;
  /** How long a member may stay not Ready before it is replaced. */
  readinessGracePeriodMs: number;
  /** Requeue interval while a pool holds unschedulable members. */
  unschedulableRecheckIntervalMs: number;
  /** Mark pooled Pods safe-to-evict for the cluster autoscaler. */
  eviction: boolean;
}

export interface ClaimSettings {
  workers: number;
  /** Emit Events about claims. */
  events: boolean;
  /** Persist the first-observed/first-ready annotations (one write per claim). */
  observabilityAnnotations: boolean;
  /** How long a claim waits for starting pool members before it cold-starts. */
  warmCandidateGraceMs: number;
}

export interface ConversionWebhookSettings {
  /** Go-style bind address; `0` disables the webhook. */
  bindAddress: string;
  hosts: string[];
  /** Mounted tls.crt/tls.key (cert-manager); empty: self-managed. */
  certDir: string;
  manageCaBundle: boolean;
  validityMs: number;
}

export interface ControllerSettings {
  conversionWebhook: ConversionWebhookSettings;
  /** Run the SandboxTemplate, SandboxWarmPool and SandboxClaim controllers. */
  extensions: boolean;
  /** Cache only Pods, Services and PVCs carrying the sandbox name-hash label. */
  cacheLabelSelectors: boolean;
  sandbox: SandboxSettings;
  template: { workers: number };
  warmPool: WarmPoolSettings;
  claim: ClaimSettings;
  /** Background writes yield to claims until none arrived for `quietMs`, for at most `maxDeferralMs`. */
  claimBurst: { quietMs: number; maxDeferralMs: number };
}

/** Settings from validated flags (parseControllerArgs has already rejected bad durations). */
export function controllerSettings(config: ControllerConfig): ControllerSettings {
  return {
    conversionWebhook: {
      bindAddress: config.conversionWebhookBindAddress,
      hosts: config.conversionWebhookHosts.split(',').map((h) => h.trim()).filter(Boolean),
      certDir: config.conversionWebhookCertDir,
      manageCaBundle: config.conversionWebhookManageCaBundle && !config.conversionWebhookCertDir,
      validityMs: parseDuration(config.conversionWebhookCertValidity),
    },
    extensions: config.extensions,
    cacheLabelSelectors: config.cacheLabelSelectors,
    sandbox: {
      workers: config.sandboxConcurrentWorkers,
      clusterDomain: config.clusterDomain,
      statusCoalesceWindowMs: parseDuration(config.sandboxStatusCoalesceWindow),
    },
    template: { workers: config.sandboxTemplateConcurrentWorkers },
    warmPool: {
      workers: config.sandboxWarmPoolConcurrentWorkers,
      maxBatchSize: config.sandboxWarmPoolMaxBatchSize,
      replenishDelayMs: parseDuration(config.sandboxWarmPoolReplenishDelay),
      maxRefillRate: config.sandboxWarmPoolMaxRefillRate,
      readinessGracePeriodMs: parseDuration(config.sandboxWarmPoolReadinessGracePeriod),
      unschedulableRecheckIntervalMs: parseDuration(config.sandboxWarmPoolUnschedulableRecheckInterval),
      eviction: config.enableWarmPoolEviction,
    },
    claim: {
      workers: config.sandboxClaimConcurrentWorkers,
      events: !config.disableClaimEvents,
      observabilityAnnotations: !config.disableClaimObservabilityAnnotations,
      warmCandidateGraceMs: WARM_CANDIDATE_GRACE_MS,
    },
    claimBurst: { quietMs: parseDuration(config.claimBurstQuietPeriod), maxDeferralMs: parseDuration(config.claimBurstMaxDeferral) },
  };
}
