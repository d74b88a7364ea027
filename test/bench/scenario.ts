// The plug-in contract of `npm run bench`: a scenario gets a context (admin client, fresh namespaces, the running
// controller, API write counters) and returns result rows. One module per scenario under ./scenarios.
import type { KubeClient } from '../../lib/kube/client';
import type { ControllerProcess } from '../cluster/harness/controller-process';
import type { WriteCounts } from './api-writes';

/** One line of the results table. */
export interface ResultRow {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** The target this value is held to, e.g. "<= 100", if any. */
  target?: string;
  /** Extra numbers for the JSON output (breakdowns, counts). */
  details?: Record<string, unknown>;
}

export interface BenchContext {
  client: KubeClient;
  controller: ControllerProcess;
  /** Creates a namespace for the scenario (deleted when the bench ends). */
  namespace(prefix: string): Promise<string>;
  /** Cumulative write requests the API server has served, by resource (diff two snapshots). */
  apiWrites(): Promise<WriteCounts>;
  log(message: string): void;
}

export interface Scenario {
  name: string;
  description: string;
  standalone?: false;
  run(ctx: BenchContext): Promise<ResultRow[]>;
}

/**
 * A scenario that brings its own plane and platform (e.g. the real node with the deployed controller): it gets no
 * kwok plane or local controller, runs only when named in --scenarios, and gets only a logger.
 */
export interface StandaloneScenario {
  name: string;
  description: string;
  standalone: true;
  run(log: (message: string) => void): Promise<ResultRow[]>;
}
