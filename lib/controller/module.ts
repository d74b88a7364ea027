// What a controller folder hands the registry: its name, when it runs, and how it wires itself into the manager
// from the process's shared parts (settings, the claim burst gate, the domain metrics).
import type { Manager } from '../controller-runtime/manager';
import type { BurstGate } from './burst-gate';
import type { ControllerMetrics } from './metrics';
import type { ControllerSettings } from './settings';

export interface ControllerContext {
  manager: Manager;
  settings: ControllerSettings;
  /** Claims mark bursts on it; the manager's controllers and Event recorders yield to them through it. */
  burstGate: BurstGate;
  metrics: ControllerMetrics;
}

export interface ControllerModule {
  name: string;
  /** Whether this controller runs with `settings` (e.g. extensions only with --extensions). */
  enabled(settings: ControllerSettings): boolean;
  /** Registers informers, indexes, event handlers and the controller on the manager. */
  setup(context: ControllerContext): void;
}
