// lib/controller: controller runtime (informers + indexes, work queues, rate limiters, leader election, metrics,
// health probes, logging, manager). Reconcilers plug in through the Reconciler interface.
export * from './rate-limiters';
export * from './workqueue';
export * from './backoff';
export * from './informer';
export * from './logger';
export * from './store';
export * from './http-server';
export * from './leader-election';
export * from './metrics';
export * from './reconciler';
export * from './manager';
export * from './burst-gate';
export * from './event-recorder';
