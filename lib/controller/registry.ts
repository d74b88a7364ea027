// The controllers this process runs, in setup order; main.ts sets up every enabled one.
import type { ControllerModule } from './module';
import { sandboxControllerModule } from './sandbox';
import { templateControllerModule } from './template';
import { warmPoolControllerModule } from './warm-pool';
import { claimControllerModule } from './claim';

export const controllerModules: readonly ControllerModule[] = [sandboxControllerModule, templateControllerModule, warmPoolControllerModule, claimControllerModule];
