// Claims first. While claims keep arriving, writes that no client is waiting on (pool refills, Pod metadata
// follow-ups of adopted Sandboxes, Events) hold back until the claims pause, so a busy API server spends its CPU on
// the claim path. A bounded wait keeps a steady stream of claims from starving them. Held work is woken by the gate
// (one timer), not polled: polling re-ran every held Sandbox's reconcile several times per burst.
import type { WorkGate } from '../controller-runtime/work-gate';

export interface BurstGateOptions {
  /** No claim for this long ends a burst; 0 disables the gate. */
  quietMs: number;
  /** Longest a background write waits for the burst to end. */
  maxDeferralMs: number;
  /** Told the kind of each piece of work as it is first held back, for a metric. */
  onHold?: (work: string) => void;
  /** Injectable clock (ms); timers still run on the real (or Jest's) clock. @default Date.now */
  now?: () => number;
}

interface HeldWork {
  /** When it was first held back: its bound counts from here. */
  since: number;
  /** Called once when it may go; unset once called. */
  wake?: () => void;
}

export class BurstGate implements WorkGate {
  private lastArrival = Number.NEGATIVE_INFINITY;
  private readonly held = new Map<string, HeldWork>();
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private timerDue = Number.POSITIVE_INFINITY;

  constructor(private readonly options: BurstGateOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A gate that never holds anything back. */
  static open(): BurstGate {
    return new BurstGate({ quietMs: 0, maxDeferralMs: 0 });
  }

  /** A claim arrived that the controller must serve. */
  claimArrived(): void {
    this.lastArrival = this.now();
  }

  /**
   * Whether the background work `key` must wait. When it must, the gate calls `wake` once: when the claims pause or
   * the work's bound (counted from when it was first held) passes. Asking again after that lets it through.
   */
  holds(key: string, work: string, wake: () => void): boolean {
    const now = this.now();
    const held = this.held.get(key);
    if (this.isQuiet(now) || (held && this.boundPassed(held, now))) {
      this.held.delete(key);
      return false;
    }
    if (!held) this.options.onHold?.(work);
    this.held.set(key, { since: held?.since ?? now, wake });
    this.schedule(now);
    return true;
  }

  /** Drops the memory of `key` (its object is gone): it is not woken. */
  forget(key: string): void {
    this.held.delete(key);
  }

  private isQuiet(now: number): boolean {
    return this.options.quietMs <= 0 || now - this.lastArrival >= this.options.quietMs;
  }

  private boundPassed(held: HeldWork, now: number): boolean {
    return now - held.since >= this.options.maxDeferralMs;
  }

  /** One timer for all held work, due when the claims may have paused or the nearest bound passes. */
  private schedule(now: number): void {
    let due = this.lastArrival + this.options.quietMs;
    for (const held of this.held.values()) if (held.wake) due = Math.min(due, held.since + this.options.maxDeferralMs);
    if (this.timer && this.timerDue <= due) return; // fires early at worst, then reschedules
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - now));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = this.now();
    const quiet = this.isQuiet(now);
    const woken: (() => void)[] = [];
    for (const [key, held] of this.held) {
      if (!held.wake || !(quiet || this.boundPassed(held, now))) continue;
      woken.push(held.wake);
      // After a pause the work goes whenever it asks; past its bound it must still be let through mid-burst.
      if (quiet) this.held.delete(key);
      else held.wake = undefined;
    }
    if ([...this.held.values()].some((held) => held.wake)) this.schedule(now);
    for (const wake of woken) wake();
  }
}
