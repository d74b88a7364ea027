// How background work yields to foreground work, as the runtime sees it: work nobody waits on (a reconcile's deferred
// part, Events) asks the gate first; held work is woken by the gate, never polled. The policy (e.g. "claims first")
// belongs to the process that supplies the gate.

export interface WorkGate {
  /**
   * Whether background work `id` of kind `work` (a metric label) must wait. When it must, the gate calls `wake` once,
   * when it may go; asking again after that lets it through.
   */
  holds(id: string, work: string, wake: () => void): boolean;
  /** Drops the memory of `id` (its object is gone, or it has nothing left to defer): it is not woken. */
  forget(id: string): void;
}

/** A gate that never holds anything back. */
export const openGate: WorkGate = { holds: () => false, forget: () => undefined };
