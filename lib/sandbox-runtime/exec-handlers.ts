// Command endpoints: upstream's unary `POST /execute`, plus our streaming `POST /v1/exec/stream`
// (NDJSON events) and `POST /v1/exec/{id}/cancel`, and the controller's startup actions: `POST /v1/actions/{id}` streams
// as `/v1/exec/stream` does, with its own timeout maximum, and keeps the output for `GET /v1/actions/{id}/output`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { ActionOutputs } from './action-output';
import type { RuntimeConfig } from './config';
import { execCollect, startExec, type ExecRequest, type ExecStreamEvent, type OutputStream, type RunningExec } from './exec';
import { BadRequestError, parseJsonObject, readBody, sendJson } from './http-io';
import { confine } from './paths';
import { shlexSplit } from './shlex';
import { badCommandText } from './upstream-text';


/**
 * Largest command body read. Linux passes at most a few MiB of arguments to a program (ARG_MAX), so a
 * larger body could never run; capping it keeps concurrent command requests from filling memory.
 */
const MAX_COMMAND_BODY_BYTES = 4 * 1024 * 1024;

/**
 * How long a command may run: an interactive one is cut to the exec cap (as upstream); an action's declared timeout is
 * honoured up to the action maximum and refused above it, naming the setting.
 */
interface TimeoutLimit {
  readonly defaultSeconds: number;
  readonly maxSeconds: number;
  /** The setting whose maximum is enforced by refusing, not cutting. @default - cut */
  readonly refuseAboveSetting?: string;
}

const interactiveLimit = (config: RuntimeConfig): TimeoutLimit => ({ defaultSeconds: config.execTimeoutSeconds, maxSeconds: config.execTimeoutSeconds });

/** Reads `{"command": string | string[], "timeout"?: seconds}` into an ExecRequest (`timeout_seconds`: upstream SDK's name). */
async function readExecRequest(req: IncomingMessage, config: RuntimeConfig, limit: TimeoutLimit): Promise<ExecRequest> {
  const body = parseJsonObject(await readBody(req, Math.min(config.maxBodyBytes, MAX_COMMAND_BODY_BYTES)));
  const { command } = body;
  const [timeoutField, timeout] = body.timeout_seconds !== undefined && body.timeout_seconds !== null
    ? ['timeout_seconds', body.timeout_seconds] : ['timeout', body.timeout ?? undefined];
  let argv: string[];
  if (typeof command === 'string') argv = splitCommandLine(command);
  else if (Array.isArray(command) && command.every((a) => typeof a === 'string')) argv = command as string[];
  else throw new BadRequestError('"command" must be a string or an array of strings');
  if (argv.length === 0) throw new BadRequestError('"command" is empty');
  if (argv.some((a) => a.includes('\0'))) throw new BadRequestError('"command" must not contain a NUL byte');
  if (body.timeout_seconds != null && body.timeout != null && body.timeout !== body.timeout_seconds) throw new BadRequestError('"timeout" and "timeout_seconds" differ; send one of them');
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0))) throw new BadRequestError(`"${timeoutField}" must be a positive number of seconds`);
  if (limit.refuseAboveSetting && typeof timeout === 'number' && timeout > limit.maxSeconds) {
    throw new BadRequestError(`"${timeoutField}" ${timeout}s exceeds the runtime's maximum of ${limit.maxSeconds}s (${limit.refuseAboveSetting})`);
  }
  const seconds = Math.min(timeout ?? limit.defaultSeconds, limit.maxSeconds);
  return { argv, timeoutMs: seconds * 1000, ...placement(body, config) };
}

/** Optional `cwd` (inside the base directory) and `env` (string values) of a command; startup actions and sandboxd's ProcessService use them. */
export function placement(body: Record<string, unknown>, config: RuntimeConfig): { cwd: string; env?: Record<string, string> } {
  const { cwd, env } = body;
  if (cwd !== undefined && typeof cwd !== 'string') throw new BadRequestError('"cwd" must be a string');
  if (env !== undefined && (typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string'))) {
    throw new BadRequestError('"env" must be an object of string values');
  }
  const entries = Object.entries((env ?? {}) as Record<string, string>);
  if (entries.some(([k, v]) => k === '' || k.includes('=') || `${k}${v}`.includes('\0'))) throw new BadRequestError('"env" names must be non-empty without "=", and no NUL bytes');
  return { cwd: cwd ? confine(config.baseDir, cwd) : config.baseDir, ...(entries.length ? { env: Object.fromEntries(entries) } : {}) };
}

function splitCommandLine(command: string): string[] {
  try {
    return shlexSplit(command);
  } catch (err) {
    throw new BadRequestError((err as Error).message);
  }
}

/** Kills the command when the client goes away before the response is complete. */
function cancelOnDisconnect(res: ServerResponse, running: RunningExec): void {
  res.once('close', () => {
    if (!res.writableFinished) running.cancel();
  });
}

export async function handleExecute(req: IncomingMessage, res: ServerResponse, config: RuntimeConfig): Promise<void> {
  let request: ExecRequest;
  try {
    request = await readExecRequest(req, config, interactiveLimit(config));
  } catch (err) {
    if (!(err instanceof BadRequestError)) throw err;
    // Upstream reports a bad command as a completed command with exit code 1.
    return sendJson(res, 200, { stdout: '', stderr: badCommandText((err as Error).message), exit_code: 1 });
  }
  sendJson(res, 200, await execCollect(request, config.maxOutputBytes));
}

/** Streams the command's output and exit as NDJSON; cancellable by id or by disconnecting. */
export class StreamingExecs {
  private readonly running = new Map<string, RunningExec>();
  private readonly actions = new ActionOutputs();

  constructor(private readonly config: RuntimeConfig) {}

  async handleStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await this.stream(req, res, randomUUID(), interactiveLimit(this.config));
  }

  /** A startup action under the controller's `id`: its timeout up to the action maximum, its output kept for followers. */
  async handleAction(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const { execTimeoutSeconds, actionTimeoutMaxSeconds } = this.config;
    const limit = { defaultSeconds: Math.min(execTimeoutSeconds, actionTimeoutMaxSeconds), maxSeconds: actionTimeoutMaxSeconds, refuseAboveSetting: 'SANDBOX_ACTION_TIMEOUT_MAX_SECONDS' };
    if (await this.stream(req, res, id, limit, () => this.actions.start(id))) this.actions.ended(id);
  }

  /** Follows action `id`: what it printed so far (the last MiB), then live until its exit. */
  handleFollow(res: ServerResponse, id: string): void {
    const output = this.actions.get(id);
    if (!output) return sendJson(res, 404, { message: `No action with id ${id} (not started, or forgotten since)` });
    output.follow(res);
  }

  /** Runs the command, streaming it to `res` (and to the action output `publishTo` takes); false when it did not run. */
  private async stream(req: IncomingMessage, res: ServerResponse, id: string, limit: TimeoutLimit, publishTo?: () => ReturnType<ActionOutputs['start']>): Promise<boolean> {
    const request = await readExecRequest(req, this.config, limit);
    // Taken only once the request is valid, so a refused one leaves the id free.
    const output = publishTo?.();
    if (output === 'taken' || output === 'full') {
      sendJson(res, output === 'taken' ? 409 : 503, { message: output === 'taken' ? `action ${id} was started already` : 'too many actions are running; retry later' });
      return false;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-exec-id': id });
    let running: RunningExec | undefined;
    let paused = false;
    // Backpressure: while the client is not reading, stop reading the command's output, so it waits
    // on its own writes instead of the runtime buffering them.
    const send = (event: ExecStreamEvent): void => {
      output?.publish(event);
      if (res.destroyed || res.write(JSON.stringify(event) + '\n') || !running || paused) return;
      paused = true;
      running.pause();
      res.once('drain', () => {
        paused = false;
        running?.resume();
      });
    };
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    running = startExec(request, (stream: OutputStream, chunk) => {
      const data = decoders[stream].write(chunk);
      if (data) send({ type: stream, data });
    });
    this.running.set(id, running);
    cancelOnDisconnect(res, running);
    send({ type: 'start', id, pid: running.pid });
    const exit = await running.exited;
    this.running.delete(id);
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = decoders[stream].end();
      if (rest) send({ type: stream, data: rest });
    }
    send({ type: 'exit', exit_code: exit.exitCode, timed_out: exit.timedOut, cancelled: exit.cancelled, ...(exit.startError ? { error: exit.startError } : {}) });
    res.end();
    return true;
  }

  handleCancel(res: ServerResponse, id: string): void {
    const running = this.running.get(id);
    if (!running) return sendJson(res, 404, { message: `No running command with id ${id}` });
    running.cancel();
    sendJson(res, 202, { id, cancelled: true });
  }

  /** Kills every running streamed command (server shutdown). */
  cancelAll(): void {
    for (const running of this.running.values()) running.cancel();
  }
}
