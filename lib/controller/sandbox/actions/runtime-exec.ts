// Runs one startup action through the in-sandbox runtime's action API (`POST /v1/actions/{id}`, NDJSON events as
// `/v1/exec/stream`, the action's own timeout honoured up to the runtime's action maximum, its output followable by id),
// so the controller needs no `pods/exec` permission: only a network path to the sandbox's runtime port. Output is
// kept as a bounded tail; the command is cancelled when the signal aborts (the runtime kills a command whose stream
// closes).
import { ACTION_OUTPUT_TAIL_BYTES, DEFAULT_ACTION_TIMEOUT_MAX_SECONDS } from '../../../api/lifecycle';
import type { SandboxAction } from '../../../api/types';

/** How one action ended. */
export interface ActionOutcome {
  /** The command's exit code; undefined when it never ran to an exit (connection failed, cancelled). */
  exitCode?: number;
  timedOut: boolean;
  cancelled: boolean;
  startedAt: Date;
  finishedAt: Date;
  /** The last ACTION_OUTPUT_TAIL_BYTES of stdout and stderr, interleaved as they arrived. */
  output: string;
  /** Why there is no exit code, or the runtime's start error. */
  error?: string;
}

/** Runs an action under `id` (actionExecId) in the sandbox whose runtime listens at `address` (`host:port`). */
export type ActionExecutor = (address: string, action: SandboxAction, signal: AbortSignal, id: string) => Promise<ActionOutcome>;

/** Keeps the last `limit` bytes of what it is given. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit = ACTION_OUTPUT_TAIL_BYTES) {}

  push(text: string): void {
    const chunk = Buffer.from(text);
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
  }

  toString(): string {
    const all = Buffer.concat(this.chunks);
    // A cut inside a multi-byte character decodes as U+FFFD; drop it rather than report a character never written.
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8').replace(/^\uFFFD+/, '');
  }
}

type StreamEvent =
  | { type: 'start' }
  | { type: 'stdout' | 'stderr'; data: string }
  | { type: 'exit'; exit_code: number; timed_out: boolean; cancelled: boolean; error?: string };

/** Extra time the controller gives the runtime past an action's own timeout before it gives up on the stream. */
const STREAM_GRACE_MS = 30_000;
/**
 * A Pod can be Ready before its runtime listens (no readiness probe on the runtime port): a refused connection, which
 * means the command was never sent, is retried for this long.
 */
const CONNECT_RETRY_MS = 30_000;

const refused = (err: unknown) => ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED';

/** fetch, retrying refused connections with backoff until CONNECT_RETRY_MS has passed or `signal` aborts. */
async function fetchWhenListening(url: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
  const giveUpAt = Date.now() + CONNECT_RETRY_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (!refused(err) || Date.now() + delay > giveUpAt || init.signal.aborted) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export const runtimeExecutor: ActionExecutor = async (address, action, signal, id) => {
  const startedAt = new Date();
  const tail = new OutputTail();
  // Undeclared, the runtime applies its own exec cap, which a template may have raised: only a day bounds the wait then.
  const deadline = AbortSignal.timeout((action.timeoutSeconds ?? DEFAULT_ACTION_TIMEOUT_MAX_SECONDS) * 1000 + STREAM_GRACE_MS);
  const ended = (fields: Partial<ActionOutcome>): ActionOutcome => ({ timedOut: false, cancelled: false, startedAt, finishedAt: new Date(), output: tail.toString(), ...fields });
  let exit: Extract<StreamEvent, { type: 'exit' }> | undefined;
  try {
    const response = await fetchWhenListening(`http://${address}/v1/actions/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        command: action.command,
        // Undeclared: the runtime's own default (its exec cap), as for any command.
        ...(action.timeoutSeconds !== undefined ? { timeout: action.timeoutSeconds } : {}),
        ...(action.workingDir ? { cwd: action.workingDir } : {}),
        ...(action.env?.length ? { env: Object.fromEntries(action.env.map((e) => [e.name, e.value])) } : {}),
      }),
      signal: AbortSignal.any([signal, deadline]),
    });
    if (!response.ok || !response.body) {
      const text = (await response.text()).slice(0, 1024);
      let detail = text;
      try {
        detail = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // Not JSON: keep the raw text.
      }
      return ended({ error: `the sandbox runtime refused it (HTTP ${response.status}): ${detail}` });
    }
    let pending = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line) continue;
        const event = JSON.parse(line) as StreamEvent;
        if (event.type === 'stdout' || event.type === 'stderr') tail.push(event.data);
        else if (event.type === 'exit') exit = event;
      }
    }
  } catch (err) {
    if (signal.aborted) return ended({ cancelled: true, error: String(signal.reason instanceof Error ? signal.reason.message : signal.reason) });
    if (deadline.aborted) return ended({ timedOut: true, error: `no exit from the sandbox runtime ${STREAM_GRACE_MS / 1000}s after the action's timeout` });
    return ended({ error: `the sandbox runtime at ${address} could not be reached: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}` });
  }
  if (!exit) return ended({ error: 'the sandbox runtime closed the stream before the command exited' });
  return ended({ exitCode: exit.exit_code, timedOut: exit.timed_out, cancelled: exit.cancelled, ...(exit.error ? { error: exit.error } : {}) });
};
