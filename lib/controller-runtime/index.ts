// lib/controller-runtime: the generic controller runtime — work queues, rate limiters, the worker pool and its
// reconciler contract, leader election, Events, metrics, health probes, logging, cache-lag guards and the manager
// that runs them. It knows no Sandbox kinds: the controllers in lib/controller plug in through Reconciler.
export * from './rate-limiters';
export * from './workqueue';
export * from './logger';
export * from './http-server';
export * from './leader-election';
export * from './leader-namespace';
export * from './metrics';
export * from './controller';
export * from './manager';
export * from './work-gate';
export * from './event-recorder';
export * from './expectations';
export * from './read-your-writes';
