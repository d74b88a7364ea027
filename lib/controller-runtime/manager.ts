// Manager: owns the shared informers, controllers, probes and leader election of one controller process.
// Informers run on every replica (warm caches make failover fast); controllers and leader-only runnables start only
// once this replica leads. Shutdown drains in-flight reconciles, then releases the Lease, then stops caches.
import type { Server } from 'node:http';
import type { KubeClient } from '../kube/client';
import type { ResourceType } from '../kube/resources';
import type { KubeObject } from '../kube/types';
import { KubeEventRecorder } from './event-recorder';
import { Informer, listerWatcherFor, type ListWatchScope } from '../kube/informer';
import { boundPort, closeServer, serveRoutes } from './http-server';
import { LEADER_ELECTION_ID, LeaderElector, type LeaderElectionOptions } from './leader-election';
import type { Logger } from './logger';
import type { RuntimeMetrics } from './metrics';
import { openGate, type WorkGate } from './work-gate';
import { Controller, type ControllerOptions } from './controller';
import type { IndexFunc } from '../kube/store';

export interface ManagerOptions {
  client: KubeClient;
  logger: Logger;
  metrics: RuntimeMetrics;
  /** Lease settings; undefined runs without leader election (every replica reconciles). */
  leaderElection?: LeaderElectionOptions;
  /** `--metrics-bind-address`; "0" disables. @default ":8080" */
  metricsBindAddress?: string;
  /** `--health-probe-bind-address`; "0" disables. @default ":8081" */
  healthProbeBindAddress?: string;
  /** Longest wait for in-flight reconciles on shutdown. @default 30000 */
  gracefulShutdownMs?: number;
  /** When background work (deferred reconcile work, Events) may run; shared by every controller. @default openGate */
  gate?: WorkGate;
}

export interface InformerSpec<T extends KubeObject> extends ListWatchScope {
  indexers?: Record<string, IndexFunc<T>>;
  transform?: (obj: T) => T;
}

/** Something that runs while this replica leads, until `signal` aborts. */
export type Runnable = (signal: AbortSignal) => Promise<void>;

/** Thrown by start() when the Lease could not be renewed: the process must exit so it cannot act as a second leader. */
export class LeaderElectionLostError extends Error {
  constructor() {
    super('leader election lost');
  }
}

export class Manager {
  readonly client: KubeClient;
  readonly metrics: RuntimeMetrics;
  readonly logger: Logger;
  private readonly gate: WorkGate;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly controllers: Controller[] = [];
  private readonly recorders: KubeEventRecorder[] = [];
  private readonly runnables: Runnable[] = [];
  private readonly elector?: LeaderElector;
  private leaderWorkStarted = false;
  private started = false;

  constructor(private readonly options: ManagerOptions) {
    this.client = options.client;
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.gate = options.gate ?? openGate;
    if (options.leaderElection) this.elector = new LeaderElector(options.client, { ...options.leaderElection, logger: options.logger });
  }

  /**
   * The shared informer for `type` within `spec`'s scope (one per type + scope). Indexers given on later calls are
   * added to the same cache.
   */
  informer<T extends KubeObject>(type: ResourceType, spec: InformerSpec<T> = {}): Informer<T> {
    const { indexers, transform, ...scope } = spec;
    const id = `${type.group}/${type.plural}?${JSON.stringify(scope)}`;
    let informer = this.informers.get(id) as Informer<T> | undefined;
    if (!informer) {
      if (this.started) throw new Error(`informer for ${type.plural} requested after the manager started`);
      informer = new Informer<T>(listerWatcherFor<T>(this.client, type, scope), {
        name: type.kind, transform, log: this.logger.child({ logger: 'informer', informer: type.kind }),
        onRestart: (reason) => this.metrics.informerRestarts.inc({ informer: type.kind, reason }),
      });
      this.informers.set(id, informer as unknown as Informer<KubeObject>);
      for (const [name, fn] of Object.entries(indexers ?? {})) informer.addIndex(name, fn);
    } else {
      for (const [name, fn] of Object.entries(indexers ?? {})) informer.addIndex(name, fn);
    }
    return informer;
  }

  /** An Event recorder reporting as `component`: its Events wait while the gate holds them and are sent before shutdown ends. */
  eventRecorder(component: string): KubeEventRecorder {
    const log = this.logger.child({ logger: 'events', component });
    const recorder = new KubeEventRecorder({
      client: this.client, component, gate: this.gate,
      onError: (err) => log.warn('event not recorded', { error: String(err) }),
    });
    this.recorders.push(recorder);
    return recorder;
  }

  /** Registers a controller; its workers start when this replica leads. */
  controller(options: Omit<ControllerOptions, 'metrics' | 'logger' | 'gate'>): Controller {
    const controller = new Controller({ ...options, metrics: this.metrics, logger: this.logger, gate: this.gate });
    this.controllers.push(controller);
    return controller;
  }

  /** Registers leader-only background work (e.g. a periodic sweep). */
  addRunnable(runnable: Runnable): void {
    this.runnables.push(runnable);
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.leaderWorkStarted;
  }

  /** Caches synced and, when leading, controllers started. */
  isReady(): boolean {
    const synced = [...this.informers.values()].every((i) => i.hasSynced());
    return synced && (!this.elector?.isLeader() || this.leaderWorkStarted);
  }

  /**
   * Runs until `signal` aborts, then shuts down gracefully and resolves. Rejects with LeaderElectionLostError when the
   * Lease is lost (the caller should exit non-zero).
   */
  async start(signal: AbortSignal): Promise<void> {
    this.started = true;
    const log = this.logger.child({ logger: 'manager' });
    const servers: (Server | undefined)[] = [
      await serveRoutes(this.options.metricsBindAddress ?? ':8080', {
        '/metrics': async () => ({ code: 200, ...(await this.metrics.expose()) }),
      }),
      await serveRoutes(this.options.healthProbeBindAddress ?? ':8081', {
        '/healthz': () => ({ code: 200, body: 'ok\n' }),
        '/readyz': () => (this.isReady() ? { code: 200, body: 'ok\n' } : { code: 503, body: this.notReadyReason() }),
      }),
    ];
    for (const [what, server] of [['metrics', servers[0]], ['health probes', servers[1]]] as const) {
      if (server) log.info(`serving ${what}`, { port: boundPort(server) });
    }
    const caches = new AbortController();
    const leaderWork = new AbortController();
    const informerRuns = [...this.informers.values()].map((i) => i.start(caches.signal));
    const leaderName = this.options.leaderElection?.name ?? LEADER_ELECTION_ID;
    this.metrics.leaderStatus.set({ name: leaderName }, 0);
    let lost = false;
    try {
      await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
      if (signal.aborted) return;
      log.info('caches synced', { informers: this.informers.size });
      if (this.elector && !(await this.elector.acquire(signal))) return;
      this.metrics.leaderStatus.set({ name: leaderName }, 1);
      const controllerRuns = this.controllers.map((c) => c.start());
      const runnableRuns = this.runnables.map((r) => r(leaderWork.signal));
      this.leaderWorkStarted = true;
      log.info('controllers started', { controllers: this.controllers.map((c) => `${c.name}(${c.workers})`) });
      if (this.elector) {
        lost = (await this.elector.renewLoop(signal)) === 'lost';
      } else {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      }
      log.info(lost ? 'stopping controllers: leadership lost' : 'shutting down: draining in-flight reconciles');
      leaderWork.abort();
      const drained = Promise.all([...this.controllers.map((c) => c.stop()), ...controllerRuns, ...runnableRuns])
        .then(() => Promise.all(this.recorders.map((r) => r.flush())));
      const timeout = this.options.gracefulShutdownMs ?? 30_000;
      const timedOut = await Promise.race([drained.then(() => false), new Promise<boolean>((r) => setTimeout(r, timeout, true).unref())]);
      if (timedOut) log.warn('graceful shutdown timed out; in-flight reconciles abandoned', { timeoutMs: timeout });
      if (!lost) await this.elector?.release();
    } finally {
      this.metrics.leaderStatus.set({ name: leaderName }, 0);
      leaderWork.abort();
      caches.abort();
      await Promise.all(informerRuns);
      await Promise.all(servers.map(closeServer));
      log.info('manager stopped');
    }
    if (lost) throw new LeaderElectionLostError();
  }

  private notReadyReason(): string {
    const pending = [...this.informers.entries()].filter(([, i]) => !i.hasSynced()).map(([id]) => id);
    return pending.length ? `caches not synced: ${pending.join(', ')}\n` : 'leader: controllers not started yet\n';
  }
}
