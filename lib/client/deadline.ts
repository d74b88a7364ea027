// Every SDK call is bounded: a deadline (AbortSignal) covers connecting, each API call and any wait, and errors
// that are not the API server's own answer are reported naming the server, its context and the step in progress.
import { ApiError } from '../kube';
import { ApiUnreachableError, DeadlineExceededError, SandboxError, type ApiServerRef } from './errors';

/** A deadline of `timeoutMs` that also ends when the caller's `signal` aborts. */
export class Deadline {
  readonly signal: AbortSignal;
  /** What the call is doing now, for the message when it fails. */
  step: string;

  constructor(readonly timeoutMs: number, step: string, signal?: AbortSignal) {
    this.signal = signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]) : AbortSignal.timeout(timeoutMs);
    this.step = step;
  }

  /**
   * The error to throw for `err`: our own errors and the API server's answers pass through; an abort caused by the
   * deadline becomes DeadlineExceededError; a network failure becomes ApiUnreachableError. Both name the server.
   */
  explain(err: unknown, server: ApiServerRef): unknown {
    if (err instanceof SandboxError || err instanceof ApiError) return err;
    if (this.signal.aborted && (this.signal.reason as Error | undefined)?.name === 'TimeoutError') return new DeadlineExceededError(server, this.step, this.timeoutMs);
    if ((err as Error).name === 'AbortError') return err;
    const cause = (err as { cause?: Error }).cause ?? (err as Error);
    return new ApiUnreachableError(server, this.step, cause.message);
  }
}
