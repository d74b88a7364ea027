// Every bench scenario, in run order. Add a module under ./scenarios and list it here.
import type { Scenario, StandaloneScenario } from '../scenario';
import { coldClaims } from './cold-claims';
import { poolFill } from './pool-fill';
import { realNode } from './real-node';
import { resume } from './resume';
import { routerProxy } from './router-proxy';
import { runtimeMemory } from './runtime-memory';
import { sandboxStartup } from './sandbox-startup';
import { warmClaims } from './warm-claims';

export const scenarios: Scenario[] = [warmClaims, coldClaims, poolFill, routerProxy, runtimeMemory, sandboxStartup, resume];

/** Scenarios with their own plane, run only when named (`--scenarios real-node`). */
export const standaloneScenarios: StandaloneScenario[] = [realNode];
