// Prometheus metrics every controller process has, whatever it reconciles: controller-runtime style reconcile
// metrics, client-go workqueue_* and rest_client_* metrics, leader status, informer restarts and process metrics.
// One registry per instance (tests can create several); a process adds its own domain metrics to the same registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestRecord } from '../kube/client';
import type { QueueObserver } from './workqueue';

const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class RuntimeMetrics {
  readonly registry = new Registry();

  // controller-runtime style reconcile metrics.
  readonly reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Reconciliations per controller and result.', labelNames: ['controller', 'result'] as const, registers: [this.registry] });
  readonly reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Reconciliation errors per controller.', labelNames: ['controller'] as const, registers: [this.registry] });
  readonly reconcileTime = this.histogram('controller_runtime_reconcile_time_seconds', 'Time per reconciliation.', ['controller'], secondsBuckets);
  readonly maxConcurrentReconciles = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Worker count per controller.', labelNames: ['controller'] as const, registers: [this.registry] });
  readonly activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Workers currently reconciling.', labelNames: ['controller'] as const, registers: [this.registry] });
  readonly leaderStatus = new Gauge({ name: 'leader_election_master_status', help: '1 while this replica holds the leader Lease.', labelNames: ['name'] as const, registers: [this.registry] });
  readonly informerRestarts = new Counter({ name: 'agent_sandbox_kit_informer_restarts_total', help: 'Informer relists and watch restarts.', labelNames: ['informer', 'reason'] as const, registers: [this.registry] });

  // client-go workqueue metrics.
  private readonly queueAdds = new Counter({ name: 'workqueue_adds_total', help: 'Adds handled by the work queue.', labelNames: ['name'] as const, registers: [this.registry] });
  private readonly queueDepth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of the work queue.', labelNames: ['name'] as const, registers: [this.registry] });
  private readonly queueLatency = this.histogram('workqueue_queue_duration_seconds', 'Seconds a key waits before being processed.', ['name'], secondsBuckets);
  private readonly queueWork = this.histogram('workqueue_work_duration_seconds', 'Seconds processing a key takes.', ['name'], secondsBuckets);
  private readonly queueRetries = new Counter({ name: 'workqueue_retries_total', help: 'Rate-limited re-adds.', labelNames: ['name'] as const, registers: [this.registry] });

  // client-go rest client metrics.
  private readonly restRequests = new Counter({ name: 'rest_client_requests_total', help: 'API requests by status code, method and resource.', labelNames: ['code', 'method', 'verb', 'resource'] as const, registers: [this.registry] });
  private readonly restLatency = this.histogram('rest_client_request_duration_seconds', 'API request latency.', ['verb', 'resource'], secondsBuckets);

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
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

  protected histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): Histogram<L> {
    return new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
