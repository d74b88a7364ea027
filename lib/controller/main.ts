// lib/controller: the agent-sandbox controller process. This entry is its composition root: parse flags (shared table
// in lib/api) into settings, build the client, metrics, claim burst gate and manager, set up every enabled controller
// (one folder each; shared/ holds what they share), run until SIGTERM/SIGINT, shut down gracefully (drain, release the Lease).
// Dev: `npm run controller -- --kubeconfig .cluster/kubeconfig [flags]`; image: `node build/lib/controller/main.js`.
import { controllerUsage, parseControllerArgs, type ControllerConfig } from '../api/controller-flags';
import { KubeClient } from '../kube/client';
import { BurstGate } from './burst-gate';
import { leaderElectionNamespace } from '../controller-runtime/leader-namespace';
import { Logger, type LogLevel } from '../controller-runtime/logger';
import { LeaderElectionLostError, Manager } from '../controller-runtime/manager';
import { ConversionWebhook } from './conversion-webhook/server';
import { ControllerMetrics } from './metrics';
import { controllerModules } from './registry';
import { controllerSettings, FIELD_MANAGER } from './settings';
import pkg from '../../package.json';

/** Warnings upstream prints for risky but legal settings. */
export function configWarnings(config: ControllerConfig): string[] {
  const perKind = [config.sandboxConcurrentWorkers, config.sandboxClaimConcurrentWorkers, config.sandboxWarmPoolConcurrentWorkers, config.sandboxTemplateConcurrentWorkers];
  const total = perKind.reduce((a, b) => a + b, 0);
  const warnings: string[] = [];
  if (total > 1000) warnings.push(`total concurrent workers ${total} exceed 1000`);
  if (config.kubeApiQps > 0 && Math.max(...perKind) > config.kubeApiBurst) warnings.push(`workers (${Math.max(...perKind)}) exceed --kube-api-burst (${config.kubeApiBurst}); the client-side limiter will queue requests`);
  return warnings;
}

/** Runs the controller; resolves with the process exit code. */
export async function runController(argv: readonly string[]): Promise<number> {
  const { config, problems, help, version } = parseControllerArgs(argv);
  if (help) {
    process.stdout.write(`Usage: agent-sandbox-controller [flags]\n${controllerUsage()}\n`);
    return 0;
  }
  if (version) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (problems.length) {
    for (const p of problems) process.stderr.write(`error: ${p}\n`);
    process.stderr.write('run with --help to list the flags\n');
    return 2;
  }
  const logger = new Logger(config.zapLogLevel as LogLevel, { logger: 'agent-sandbox-controller' });
  for (const warning of configWarnings(config)) logger.warn(warning);
  // Credentials first: a missing or broken kubeconfig is the problem to report, not what follows from it.
  let client: KubeClient;
  try {
    client = await KubeClient.create({
      kubeconfig: config.kubeconfig || undefined,
      qps: config.kubeApiQps, burst: config.kubeApiBurst,
      connections: config.apiConnections, separateWatchConnection: config.separateWatchConnection,
      userAgent: `agent-sandbox-controller/${pkg.version}`, fieldManager: FIELD_MANAGER,
    });
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
  let leaseNamespace = '';
  try {
    if (config.leaderElect) leaseNamespace = leaderElectionNamespace(config.leaderElectionNamespace);
  } catch (err) {
    client.close();
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 2;
  }
  const settings = controllerSettings(config);
  const metrics = new ControllerMetrics({ gitVersion: pkg.version });
  client.onRequest(metrics.observeRequest);
  const burstGate = new BurstGate({ ...settings.claimBurst, onHold: (work) => metrics.claimBurstHolds.inc({ work }) });
  const manager = new Manager({
    client, logger, metrics, gate: burstGate,
    leaderElection: config.leaderElect ? { namespace: leaseNamespace } : undefined,
    metricsBindAddress: config.metricsBindAddress,
    healthProbeBindAddress: config.healthProbeBindAddress,
  });
  const enabled = controllerModules.filter((m) => m.enabled(settings));
  for (const m of enabled) m.setup({ manager, settings, burstGate, metrics });
  logger.info('starting', { version: pkg.version, controllers: enabled.map((m) => m.name), leaderElect: config.leaderElect });

  // Every replica serves conversions (the API server reaches any of them), leader or not.
  const webhook = new ConversionWebhook({ ...settings.conversionWebhook, client, logger: logger.child({ logger: 'conversion-webhook' }) });
  try {
    await webhook.start();
  } catch (err) {
    client.close();
    process.stderr.write(`error: conversion webhook: ${(err as Error).message}\n`);
    return 1;
  }

  const stop = new AbortController();
  const onSignal = (sig: string) => {
    logger.info('received signal, shutting down', { signal: sig });
    stop.abort();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  try {
    await manager.start(stop.signal);
    return 0;
  } catch (err) {
    logger.error(err instanceof LeaderElectionLostError ? 'leader election lost; exiting' : 'manager failed', { error: err instanceof Error ? err.stack : String(err) });
    return 1;
  } finally {
    await webhook.close();
    client.close();
  }
}

if (require.main === module) {
  runController(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      // One line: the errors that reach here (credentials, listeners) say what failed; a stack helps no operator.
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
