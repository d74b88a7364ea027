// Metrics of the router's lifecycle work (resume on request, activity writes), on the router's registry.
import { Counter, Histogram } from 'prom-client';
import type { ActivityWriteResult } from '../../lifecycle/activity';
import type { RouterMetrics } from '../metrics';

export class LifecycleRouterMetrics {
  /** Request arrival to the first byte of the sandbox's answer, for requests that waited on a resume. */
  readonly resumeLatency: Histogram<'sandbox_namespace'>;
  readonly resumes: Counter<'sandbox_namespace' | 'result'>;
  readonly activityWrites: Counter<'result'>;

  constructor(metrics: RouterMetrics) {
    const registers = [metrics.registry];
    this.resumeLatency = new Histogram({
      name: 'sandbox_router_resume_latency_seconds', help: 'From the arrival of a request to a suspended sandbox to the first byte of its answer.',
      labelNames: ['sandbox_namespace'], buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120], registers,
    });
    this.resumes = new Counter({ name: 'sandbox_router_resumes_total', help: 'Resumes the router started (one per sandbox however many requests wait), by result.', labelNames: ['sandbox_namespace', 'result'], registers });
    this.activityWrites = new Counter({ name: 'sandbox_router_activity_writes_total', help: 'last-activity annotation writes, by result.', labelNames: ['result'], registers });
  }

  /** The ActivityRecorder's onWrite. */
  readonly countActivityWrite = (result: ActivityWriteResult): void => this.activityWrites.inc({ result });
}
