// Prometheus metrics: every upstream agent-sandbox metric (behaviour §13.3) defined once here so reconcilers only
// observe, plus controller-runtime style reconcile metrics, workqueue_* and rest_client_* metrics, leader status and
// process metrics. One registry per ControllerMetrics instance (tests can create several).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestRecord } from '../kube/client';
import type { QueueObserver } from './workqueue';

const claimStartupBucketsMs = [100, 250, 500, 750, 1000, 1250, 1500, 2000, 2500, 5000, 10000, 30000, 60000, 120000, 240000];
const creationBucketsMs = [50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 240000, 300000, 600000];
const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Label values of one Sandbox for the `agent_sandboxes` gauge. */
export type SandboxGaugeLabels = Record<'namespace' | 'ready_condition' | 'expired' | 'launch_type' | 'sandbox_template' | 'owned_by' | 'created_by', string>;

export interface BuildInfo {
  gitVersion: string;
  gitCommit?: string;
  buildDate?: string;
}

export class ControllerMetrics {
  readonly registry = new Registry();

  // Upstream agent-sandbox metrics.
  readonly claimStartupLatency = this.histogram('agent_sandbox_claim_startup_latency_ms', 'Time from SandboxClaim creation to its Ready condition, in ms.', ['launch_type', 'sandbox_template'], claimStartupBucketsMs);
  readonly claimControllerStartupLatency = this.histogram('agent_sandbox_claim_controller_startup_latency_ms', 'Time from the controller first observing a SandboxClaim to Ready, in ms.', ['launch_type', 'sandbox_template'], claimStartupBucketsMs);
  readonly clientClaimStartupLatency = this.histogram('agent_sandbox_client_claim_startup_latency_ms', 'Client-reported time from claim request to Ready, in ms.', ['launch_type', 'sandbox_template'], claimStartupBucketsMs);
  readonly sandboxCreationLatency = this.histogram('agent_sandbox_creation_latency_ms', 'Time from Sandbox creation to Ready, in ms.', ['namespace', 'launch_type', 'sandbox_template'], creationBucketsMs);
  readonly claimCreationTotal = new Counter({
    name: 'agent_sandbox_claim_creation_total', help: 'SandboxClaims that obtained a Sandbox.', registers: [this.registry],
    labelNames: ['namespace', 'sandbox_template', 'launch_type', 'warmpool_name', 'pod_condition', 'created_by'] as const,
  });
  readonly buildInfo = new Gauge({
    name: 'agent_sandbox_build_info', help: 'Build information; always 1.', registers: [this.registry],
    labelNames: ['git_version', 'git_commit', 'build_date', 'go_version', 'compiler', 'platform'] as const,
  });
  private sandboxesSource?: () => Iterable<SandboxGaugeLabels>;
  readonly sandboxes: Gauge<keyof SandboxGaugeLabels>;

  // controller-runtime style reconcile metrics.
  readonly reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Reconciliations per controller and result.', labelNames: ['controller', 'result'] as const, registers: [this.registry] });
  readonly reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Reconciliation errors per controller.', labelNames: ['controller'] as const, registers: [this.registry] });
  readonly reconcileTime = this.histogram('controller_runtime_reconcile_time_seconds', 'Time per reconciliation.', ['controller'], secondsBuckets);
  readonly maxConcurrentReconciles = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Worker count per controller.', labelNames: ['controller'] as const, registers: [this.registry] });
  readonly activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Workers currently reconciling.', labelNames: ['controller'] as const, registers: [this.registry] });
  readonly leaderStatus = new Gauge({ name: 'leader_election_master_status', help: '1 while this replica holds the leader Lease.', labelNames: ['name'] as const, registers: [this.registry] });
  readonly informerRestarts = new Counter({ name: 'agent_sandbox_kit_informer_restarts_total', help: 'Informer relists and watch restarts.', labelNames: ['informer', 'reason'] as const, registers: [this.registry] });
  readonly claimBurstHolds = new Counter({ name: 'agent_sandbox_kit_claim_burst_holds_total', help: 'Writes held back while a burst of claims was served, by kind (refill, pod-metadata, events).', labelNames: ['work'] as const, registers: [this.registry] });

  // client-go workqueue metrics.
  private readonly queueAdds = new Counter({ name: 'workqueue_adds_total', help: 'Adds handled by the work queue.', labelNames: ['name'] as const, registers: [this.registry] });
  private readonly queueDepth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of the work queue.', labelNames: ['name'] as const, registers: [this.registry] });
  private readonly queueLatency = this.histogram('workqueue_queue_duration_seconds', 'Seconds a key waits before being processed.', ['name'], secondsBuckets);
  private readonly queueWork = this.histogram('workqueue_work_duration_seconds', 'Seconds processing a key takes.', ['name'], secondsBuckets);
  private readonly queueRetries = new Counter({ name: 'workqueue_retries_total', help: 'Rate-limited re-adds.', labelNames: ['name'] as const, registers: [this.registry] });

  // client-go rest client metrics.
  private readonly restRequests = new Counter({ name: 'rest_client_requests_total', help: 'API requests by status code, method and resource.', labelNames: ['code', 'method', 'verb', 'resource'] as const, registers: [this.registry] });
  private readonly restLatency = this.histogram('rest_client_request_duration_seconds', 'API request latency.', ['verb', 'resource'], secondsBuckets);

  constructor(build: BuildInfo, options: { processMetrics?: boolean } = {}) {
    this.buildInfo.set({
      git_version: build.gitVersion, git_commit: build.gitCommit ?? 'unknown', build_date: build.buildDate ?? 'unknown',
      go_version: process.version, compiler: 'node', platform: `${process.platform}/${process.arch}`,
    }, 1);
    const metrics = this;
    this.sandboxes = new Gauge({
      name: 'agent_sandboxes', help: 'Sandboxes in the cache by state.', registers: [this.registry],
      labelNames: ['namespace', 'ready_condition', 'expired', 'launch_type', 'sandbox_template', 'owned_by', 'created_by'] as const,
      collect() {
        this.reset();
        for (const labels of metrics.sandboxesSource?.() ?? []) this.inc(labels);
      },
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Supplies the labels of every cached Sandbox; read on each scrape of `agent_sandboxes`. */
  setSandboxesSource(source: () => Iterable<SandboxGaugeLabels>): void {
    this.sandboxesSource = source;
  }

  /** Feeds workqueue_* metrics. */
  readonly queueObserver: QueueObserver = {
    added: (name) => this.queueAdds.inc({ name }),
    depth: (name, depth) => this.queueDepth.set({ name }, depth),
    queued: (name, s) => this.queueLatency.observe({ name }, s),
    worked: (name, s) => this.queueWork.observe({ name }, s),
    retried: (name) => this.queueRetries.inc({ name }),
  };

  /** Feeds rest_client_* metrics; pass to KubeClient.onRequest. */
  readonly observeRequest = (r: RequestRecord): void => {
    this.restRequests.inc({ code: String(r.code), method: r.method, verb: r.verb, resource: r.resource });
    this.restLatency.observe({ verb: r.verb, resource: r.resource }, r.durationMs / 1000);
  };

  /** Prometheus text exposition. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
