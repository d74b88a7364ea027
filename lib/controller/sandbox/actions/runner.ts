// The startup actions this process is running: at most one per Sandbox (by UID), started only after the Sandbox's
// status says Running (so a restart can never run it a second time), and its outcome kept until a pass records it.
// A settled action re-queues its Sandbox through `onSettled`.
import { actionExecId } from '../../../api/lifecycle';
import type { SandboxAction } from '../../../api/types';
import type { ActionExecutor, ActionOutcome } from './runtime-exec';

interface InFlight {
  index: number;
  abort: AbortController;
  outcome?: ActionOutcome;
}

export class ActionRunner {
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly execute: ActionExecutor, private readonly onSettled: (sandboxKey: string) => void) {}

  /** Starts action `index` of the Sandbox `uid` (`key` is its queue key) against the runtime at `address`. */
  start(key: string, uid: string, index: number, address: string, action: SandboxAction): void {
    if (this.inFlight.get(uid)?.index === index) return;
    const entry: InFlight = { index, abort: new AbortController() };
    this.inFlight.set(uid, entry);
    void this.execute(address, action, entry.abort.signal, actionExecId(uid, index)).then((outcome) => {
      entry.outcome = outcome;
      this.onSettled(key);
    });
  }

  /** `running`: this process is running action `index` of `uid`; `settled`: it ended with this outcome; else unknown here. */
  state(uid: string, index: number): { kind: 'running' } | { kind: 'settled'; outcome: ActionOutcome } | { kind: 'unknown' } {
    const entry = this.inFlight.get(uid);
    if (entry?.index !== index) return { kind: 'unknown' };
    return entry.outcome ? { kind: 'settled', outcome: entry.outcome } : { kind: 'running' };
  }

  /** Stops action `index` of `uid` if it runs (its outcome arrives as cancelled). */
  cancel(uid: string, reason: string): void {
    this.inFlight.get(uid)?.abort.abort(new Error(reason));
  }

  /** The outcome was recorded in status, or the Sandbox is gone: forget it (cancelling a command still running). */
  forget(uid: string): void {
    const entry = this.inFlight.get(uid);
    if (!entry) return;
    if (!entry.outcome) entry.abort.abort(new Error('the Sandbox was deleted'));
    this.inFlight.delete(uid);
  }

  /** Cancels everything (process shutdown: the next leader marks these actions interrupted). */
  stopAll(): void {
    for (const entry of this.inFlight.values()) entry.abort.abort(new Error('the controller is shutting down'));
  }
}
