// Test harness for the "cluster" jest project (real local control plane): env names, kubectl
// helpers, waits, per-file namespaces and ServiceAccount kubeconfigs.
export * from './env';
export * from './kubectl';
export * from './wait';
export * from './namespace';
export * from './service-account';
export * from './crds';
export * from './controller-process';
