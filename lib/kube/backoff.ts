// Jittered exponential backoff for restart loops (watches, leader election): grows on failure, resets on success.

export class Backoff {
  private attempt = 0;

  constructor(private readonly initialMs = 800, private readonly maxMs = 30_000, private readonly jitter = 0.2) {}

  /** Delay before the next attempt; each call doubles the base delay up to the cap. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt++);
    return base * (1 + Math.random() * this.jitter);
  }

  reset(): void {
    this.attempt = 0;
  }
}
