// The controllers this process runs. Each reconciler module adds one entry here; main.ts sets up every enabled one.
import type { ControllerConfig } from '../api/controller-flags';
import type { Manager } from './manager';
import { sandboxControllerModule } from '../reconcilers/sandbox-controller';
import { templateControllerModule } from '../reconcilers/template-controller';
import { warmPoolControllerModule } from '../reconcilers/warm-pool-controller';
import { claimControllerModule } from '../reconcilers/claim-controller';

export interface ControllerModule {
  name: string;
  /** Whether this controller runs with `config` (e.g. extensions only with --extensions). */
  enabled(config: ControllerConfig): boolean;
  /** Registers informers, indexes and the controller (workers sized from config) on the manager. */
  setup(manager: Manager, config: ControllerConfig): void;
}

export const controllerModules: ControllerModule[] = [sandboxControllerModule, templateControllerModule, warmPoolControllerModule, claimControllerModule];
