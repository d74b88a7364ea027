// lib/reconcilers: the reconcilers of the agent-sandbox controller (Sandbox here; extension kinds alongside), pure
// builders for the objects they own, and the small helpers (ownership, conditions, events) they share.
export * from './conditions';
export * from './event-recorder';
export * from './ownership';
export * from './sandbox-cache';
export * from './sandbox-children';
export * from './sandbox-conditions';
export * from './sandbox-pod';
export * from './sandbox-pod-sync';
export * from './sandbox-pvc';
export * from './sandbox-reconciler';
export * from './sandbox-service';
export * from './sandbox-status';
export * from './sandbox-controller';
export * from './sandbox-metrics';
