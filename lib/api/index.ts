// The agent-sandbox API as code: the single source of truth for types, keys, conditions, flags and CRDs.
export * from './groups';
export * from './metadata-keys';
export * from './conditions';
export * from './name-hash';
export * from './duration';
export * from './types';
export * from './lifecycle';
export * from './controller-flags';
export * from './crds';
export * from './conversion';
