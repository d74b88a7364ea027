// The agent-sandbox metrics (behaviour §13.3) on top of the runtime's: defined once here so the controllers only
// observe them; one registry per instance (tests can create several).
import { Counter, Gauge } from 'prom-client';
import { RuntimeMetrics } from '../controller-runtime/metrics';

const claimStartupBucketsMs = [100, 250, 500, 750, 1000, 1250, 1500, 2000, 2500, 5000, 10000, 30000, 60000, 120000, 240000];
const creationBucketsMs = [50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 240000, 300000, 600000];

/** Label values of one Sandbox for the `agent_sandboxes` gauge. */
export type SandboxGaugeLabels = Record<'namespace' | 'ready_condition' | 'expired' | 'launch_type' | 'sandbox_template' | 'owned_by' | 'created_by', string>;

export interface BuildInfo {
  gitVersion: string;
  gitCommit?: string;
  buildDate?: string;
}

export class ControllerMetrics extends RuntimeMetrics {
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
  readonly claimBurstHolds = new Counter({ name: 'agent_sandbox_kit_claim_burst_holds_total', help: 'Writes held back while a burst of claims was served, by kind (refill, pod-metadata, events).', labelNames: ['work'] as const, registers: [this.registry] });
  readonly actionDuration = this.histogram('agent_sandbox_kit_action_duration_seconds', 'Duration of startup actions, by how they ended (Succeeded, Failed, TimedOut, Interrupted).', ['result'], [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600]);
  readonly suspends = new Counter({ name: 'agent_sandbox_kit_suspends_total', help: 'Sandboxes suspended, by reason (idle, actions-complete, shutdown-time, manual).', labelNames: ['reason'] as const, registers: [this.registry] });
  private sandboxesSource?: () => Iterable<SandboxGaugeLabels>;
  readonly sandboxes: Gauge<keyof SandboxGaugeLabels>;

  constructor(build: BuildInfo, options: { processMetrics?: boolean } = {}) {
    super(options);
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
  }

  /** Sandboxes by operating mode (running, suspended), counted from `source` on each scrape. */
  setModesSource(source: () => Iterable<'running' | 'suspended'>): void {
    new Gauge({
      name: 'agent_sandbox_kit_sandboxes_by_mode', help: 'Sandboxes in the cache by operating mode (running, suspended).', labelNames: ['mode'] as const, registers: [this.registry],
      collect() {
        const counts = { running: 0, suspended: 0 };
        for (const mode of source()) counts[mode]++;
        for (const [mode, n] of Object.entries(counts)) this.set({ mode }, n);
      },
    });
  }

  /** Supplies the labels of every cached Sandbox; read on each scrape of `agent_sandboxes`. */
  setSandboxesSource(source: () => Iterable<SandboxGaugeLabels>): void {
    this.sandboxesSource = source;
  }
}
