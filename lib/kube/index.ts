// lib/kube: a thin, fast Kubernetes REST client (credentials via @kubernetes/client-node's KubeConfig, our own
// keep-alive HTTP transport, QPS/burst limiter, typed errors, per-verb request counters) and the informer + indexed
// store that keep a local cache of one resource in sync with a list and a watch.
export * from './client';
export * from './credentials';
export * from './errors';
export * from './in-cluster';
export * from './load-credentials';
export * from './resources';
export * from './token-bucket';
export * from './transport';
export * from './types';
export * from './watch-stream';
export * from './backoff';
export * from './informer';
export * from './store';
