// Runs one command for the runtime: no shell, its own process group (so timeouts and cancels kill
// everything it started), output delivered as it arrives or collected for the unary endpoint.
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';

export type OutputStream = 'stdout' | 'stderr';

export interface ExecRequest {
  /** argv[0] is looked up on PATH; nothing is interpreted by a shell. */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly timeoutMs: number;
}

export interface ExitInfo {
  /** Process exit code; `-signal` when killed by a signal (Python subprocess semantics); 1 when it could not start. */
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** Set when the process could not be started (e.g. executable not found). */
  readonly startError?: string;
}

export interface RunningExec {
  readonly pid: number | undefined;
  readonly exited: Promise<ExitInfo>;
  /** Kills the whole process group; the exit is reported with `cancelled: true`. */
  cancel(): void;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone: nothing left to kill.
  }
}

/** Starts `req` and calls `onOutput` for every chunk of stdout/stderr until the process exits. */
export function startExec(req: ExecRequest, onOutput: (stream: OutputStream, chunk: Buffer) => void): RunningExec {
  const [file, ...args] = req.argv;
  let timedOut = false;
  let cancelled = false;
  const child = spawn(file ?? '', args, { cwd: req.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => onOutput('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => onOutput('stderr', chunk));
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, req.timeoutMs);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ exitCode: 1, timedOut, cancelled, startError: err.message });
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
      killGroup(child.pid);
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

/** Runs `req` to completion and returns its decoded output; output beyond `maxOutputBytes` per stream is dropped and noted. */
export async function execCollect(req: ExecRequest, maxOutputBytes: number): Promise<CollectedResult> {
  const chunks: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };
  const sizes: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  const running = startExec(req, (stream, chunk) => {
    const room = maxOutputBytes - sizes[stream];
    if (room > 0) chunks[stream].push(chunk.subarray(0, room));
    sizes[stream] += chunk.length;
  });
  const exit = await running.exited;
  const decode = (stream: OutputStream): string => {
    const text = Buffer.concat(chunks[stream]).toString('utf8');
    return sizes[stream] > maxOutputBytes ? `${text}\n[${stream} truncated at ${maxOutputBytes} bytes]` : text;
  };
  let stderr = decode('stderr');
  if (exit.startError) stderr += exit.startError;
  if (exit.timedOut) stderr += `\nCommand timed out after ${req.timeoutMs / 1000}s`;
  return { stdout: decode('stdout'), stderr, exit_code: exit.exitCode, timed_out: exit.timedOut };
}
