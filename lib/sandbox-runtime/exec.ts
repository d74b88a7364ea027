// Runs one command for the runtime: no shell, its own process group, and on timeout or cancel every
// process it started is killed (see process-tree.ts). Output is delivered as it arrives, with
// backpressure, or collected for the unary endpoint.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { EXEC_ID_ENV, killCommand } from './process-tree';
import { startFailureText, timeoutText } from './upstream-text';

export type OutputStream = 'stdout' | 'stderr';

/** One line of a streamed command's response (`/v1/exec/stream`, `/v1/actions/{id}`). */
export type ExecStreamEvent =
  | { type: 'start'; id: string; pid: number | undefined }
  | { type: 'stdout' | 'stderr'; data: string }
  | { type: 'exit'; exit_code: number; timed_out: boolean; cancelled: boolean; error?: string };

export interface ExecRequest {
  /** argv[0] is looked up on PATH; nothing is interpreted by a shell. */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly timeoutMs: number;
  /** Added to the runtime's environment. @default - none */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ExitInfo {
  /** Process exit code; `-signal` when killed by a signal (Python subprocess semantics); 1 when it could not start. */
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Set when the process could not be started (e.g. executable not found). */
  readonly startError?: string;
  /** Its errno code, e.g. `ENOENT`. */
  readonly startErrorCode?: string;
}

export interface RunningExec {
  readonly pid: number | undefined;
  readonly exited: Promise<ExitInfo>;
  /** Kills every process of the command; the exit is reported with `cancelled: true`. */
  cancel(): void;
  /** Stops reading the command's output: once the pipes fill, the command blocks on its writes. */
  pause(): void;
  resume(): void;
}

/**
 * After a kill, how long output still in the pipes may be delivered before they are closed. A process
 * that escaped the kill (or output nobody reads) must not hold the answer past its deadline.
 */
const PIPE_GRACE_MS = 300;

/** Starts `req` and calls `onOutput` for every chunk of stdout/stderr until the process exits. */
export function startExec(req: ExecRequest, onOutput: (stream: OutputStream, chunk: Buffer) => void): RunningExec {
  const [file, ...args] = req.argv;
  const execId = randomUUID();
  let timedOut = false;
  let cancelled = false;
  const child = spawn(file ?? '', args, {
    cwd: req.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...req.env, [EXEC_ID_ENV]: execId },
  });
  child.stdout.on('data', (chunk: Buffer) => onOutput('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => onOutput('stderr', chunk));
  const killAll = (): void => {
    killCommand(child.pid, execId);
    setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
    }, PIPE_GRACE_MS).unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killAll();
  }, req.timeoutMs);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ exitCode: 1, timedOut, cancelled, startError: err.message, startErrorCode: (err as NodeJS.ErrnoException).code });
    });
    // 'close' (not 'exit') so every output chunk has been delivered before the exit is reported.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const signalNumber = signal ? (osConstants.signals[signal] ?? 1) : 0;
      resolve({ exitCode: code ?? -signalNumber, timedOut, cancelled });
    });
  });
  return {
    pid: child.pid,
    exited,
    cancel: () => {
      cancelled = true;
      killAll();
    },
    pause: () => {
      child.stdout.pause();
      child.stderr.pause();
    },
    resume: () => {
      child.stdout.resume();
      child.stderr.resume();
    },
  };
}

export interface CollectedResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exit_code: number;
  /** Extension: true when the command was killed by the timeout. */
  readonly timed_out: boolean;
}

export interface CollectedOutput {
  /** At most `maxOutputBytes`, then a note saying where the stream was cut. */
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly exit: ExitInfo;
}

/**
 * Runs `req` to completion (or until `signal` aborts it) and returns its output; bytes beyond `maxOutputBytes`
 * per stream are dropped and noted.
 */
export async function collectOutput(req: ExecRequest, maxOutputBytes: number, signal?: AbortSignal): Promise<CollectedOutput> {
  const chunks: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const sizes: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  const running = startExec(req, (stream, chunk) => {
    const room = maxOutputBytes - sizes[stream];
    if (room > 0) chunks[stream].push(chunk.subarray(0, room));
    sizes[stream] += chunk.length;
  });
  if (signal?.aborted) running.cancel();
  signal?.addEventListener('abort', () => running.cancel(), { once: true });
  const exit = await running.exited;
  const kept = (stream: OutputStream): Buffer => Buffer.concat(
    sizes[stream] > maxOutputBytes ? [...chunks[stream], Buffer.from(`\n[${stream} truncated at ${maxOutputBytes} bytes]`)] : chunks[stream],
  );
  return { stdout: kept('stdout'), stderr: kept('stderr'), exit };
}

/** Runs `req` to completion and returns its decoded output (see collectOutput), failures worded as upstream's python runtime words them. */
export async function execCollect(req: ExecRequest, maxOutputBytes: number): Promise<CollectedResult> {
  const { stdout, stderr: stderrBytes, exit } = await collectOutput(req, maxOutputBytes);
  // Failures read as upstream's runtime words them (upstream-text.ts), after whatever the command wrote.
  let stderr = stderrBytes.toString('utf8');
  if (exit.startError) stderr += startFailureText(exit.startErrorCode, req.argv[0] ?? '', exit.startError);
  if (exit.timedOut) stderr += `${stderr && !stderr.endsWith('\n') ? '\n' : ''}${timeoutText(req.argv, req.timeoutMs / 1000)}`;
  return { stdout: stdout.toString('utf8'), stderr, exit_code: exit.exitCode, timed_out: exit.timedOut };
}
