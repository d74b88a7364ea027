// A claimed sandbox: run commands (unary or streamed), move files, suspend/resume and terminate. All
// traffic goes through the resolved endpoint (router or direct) to the in-sandbox runtime. In direct mode calls also
// mark the sandbox active and resume it when suspended (direct-lifecycle.ts), as the router does for its callers.
import type { Sandbox as SandboxObject } from '../api';
import { isForbidden, Resources, type KubeClient } from '../kube';
import { setRunning } from '../lifecycle/resume';
import { deleteClaim } from './claims';
import type { Endpoint, SandboxAddress } from './connection';
import { resumePermission, type DirectLifecycle } from './direct-lifecycle';
import { ResumeForbiddenError, SandboxConnectionError, SandboxRequestError } from './errors';

export interface ExecutionResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly timedOut: boolean;
}

export type StreamEvent =
  | { type: 'start'; id: string; pid?: number }
  | { type: 'stdout' | 'stderr'; data: string }
  | { type: 'exit'; exit_code: number; timed_out: boolean; cancelled: boolean; error?: string };

/** What following a startup action yields: its output (after `skipped` bytes a late follower missed), then its exit. */
export type ActionOutputEvent = Exclude<StreamEvent, { type: 'start' }> | { type: 'skipped'; bytes: number };

export interface FileEntry {
  readonly name: string;
  readonly size: number;
  readonly type: 'file' | 'directory';
  readonly mod_time: number;
}

export interface RunOptions {
  /** Seconds before the runtime kills the command's process group. @default the runtime's (300) */
  readonly timeoutSeconds?: number;
  /** Aborting cancels the request; for runStream the runtime kills the command. */
  readonly signal?: AbortSignal;
}

const RETRYABLE = new Set([502, 503]);
/** Failures before anything was sent (undici's connect timeout included), so retrying cannot run a command twice. */
const DIAL_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

interface SendOptions {
  /** false: never resume a suspended sandbox for this request (router: X-Sandbox-Resume: false). @default true */
  readonly resume?: boolean;
  readonly method?: string;
  readonly json?: unknown;
  readonly body?: FormData;
  readonly signal?: AbortSignal;
}

/** fetch() rejects with TypeError("fetch failed") whose cause carries the socket error. */
const causeOf = (err: unknown): string => {
  const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
};
const isDialFailure = (err: unknown): boolean => DIAL_FAILURES.has((err as { cause?: NodeJS.ErrnoException }).cause?.code ?? '');

export class SandboxHandle {
  constructor(
    private readonly kube: KubeClient,
    /** Namespace and Sandbox name. */
    readonly address: SandboxAddress,
    /** The claim this sandbox was obtained through. */
    readonly claimName: string,
    private endpoint: Endpoint,
    /** Resolves the endpoint again (from `known`, else a fresh read) after a refused connection. @default - the same endpoint */
    private readonly reconnect: (known?: SandboxObject) => Promise<Endpoint> = async () => endpoint,
    /** Direct mode: activity and resume. @default - neither (the router does both) */
    private readonly direct?: DirectLifecycle,
  ) {}

  /** Runs `command` (a string split like a shell would, or argv) and waits for it to finish. */
  run(command: string | readonly string[], options: RunOptions = {}): Promise<ExecutionResult> {
    return this.call('run', '/execute', { method: 'POST', json: { command, timeout: options.timeoutSeconds }, signal: options.signal }, async (res) => {
      const body = (await res.json()) as { stdout: string; stderr: string; exit_code: number; timed_out?: boolean };
      return { stdout: body.stdout, stderr: body.stderr, exitCode: body.exit_code, timedOut: body.timed_out ?? false };
    });
  }

  /** Runs `command` and yields its output as it is produced, ending with the exit event. */
  async *runStream(command: string | readonly string[], options: RunOptions = {}): AsyncGenerator<StreamEvent> {
    // An open stream is activity until it ends, however long the command is silent.
    const end = this.trackActivity();
    try {
      yield* this.readEvents<StreamEvent>('runStream', await this.request('runStream', '/v1/exec/stream', { method: 'POST', json: { command, timeout: options.timeoutSeconds }, signal: options.signal }));
    } finally {
      end();
    }
  }

  /**
   * Follows startup action `id` (actionExecId: the Sandbox UID and the action's index) as the controller runs it:
   * what it printed so far, then live until its exit. Passive: it neither wakes a suspended sandbox nor counts as activity.
   */
  async *followAction(id: string, options: Pick<RunOptions, 'signal'> = {}): AsyncGenerator<ActionOutputEvent> {
    const res = await this.request('followAction', `/v1/actions/${encodeURIComponent(id)}/output`, { resume: false, signal: options.signal });
    yield* this.readEvents<ActionOutputEvent>('followAction', res);
  }

  /** Yields the NDJSON events of a streamed command's response until its exit event; a cut stream throws. */
  private async *readEvents<E extends { type: string }>(operation: string, res: Response): AsyncGenerator<E> {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    let exited = false;
    try {
      for (;;) {
        const { done, value } = await reader.read().catch((err: unknown) => {
          throw this.connectionError(operation, 'stream interrupted', err);
        });
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const event = JSON.parse(buffered.slice(0, newline)) as E;
          buffered = buffered.slice(newline + 1);
          exited ||= event.type === 'exit';
          yield event;
        }
      }
      // A cut stream must not pass for a finished command (e.g. the router's stream idle timeout).
      if (!exited) throw new SandboxConnectionError(this.address.namespace, this.address.sandbox, operation, 'the stream ended before the command exited');
    } finally {
      // Leaving early (break/throw) closes the connection, which makes the runtime kill the command.
      await reader.cancel().catch(() => undefined);
    }
  }

  readonly files = {
    /** Writes `content` to `path` (relative to the runtime's base dir; parents are created). */
    write: (path: string, content: string | Uint8Array): Promise<void> => {
      const form = new FormData();
      form.append('file', new Blob([typeof content === 'string' ? content : Buffer.from(content)]), path);
      return this.call('files.write', '/upload', { method: 'POST', body: form }, async (res) => void await res.body?.cancel());
    },
    read: (path: string): Promise<Buffer> =>
      this.call('files.read', `/download/${encodeURIComponent(path)}`, {}, async (res) => Buffer.from(await res.arrayBuffer())),
    list: (path = ''): Promise<FileEntry[]> => this.call('files.list', `/list/${encodeURIComponent(path)}`, {}, (res) => res.json() as Promise<FileEntry[]>),
    exists: (path: string): Promise<boolean> =>
      this.call('files.exists', `/exists/${encodeURIComponent(path)}`, {}, async (res) => ((await res.json()) as { exists: boolean }).exists),
  };

  /** Asks the controller to suspend the sandbox (Sandbox spec.operatingMode = Suspended). */
  async suspend(): Promise<void> {
    await this.kube.mergePatch<SandboxObject>(Resources.sandboxes, this.address.namespace, this.address.sandbox, { spec: { operatingMode: 'Suspended' } });
  }

  /** Sets the sandbox Running without waiting (in direct mode the next call also resumes it and waits until Ready). */
  async resume(): Promise<void> {
    const { namespace, sandbox } = this.address;
    await setRunning(this.kube, namespace, sandbox).catch((err: unknown) => {
      throw isForbidden(err) ? new ResumeForbiddenError(namespace, sandbox, resumePermission(namespace), err.message) : err;
    });
  }

  /** Deletes the claim (and with it the sandbox). Idempotent: an already deleted claim is success. */
  async terminate(): Promise<void> {
    await deleteClaim(this.kube, this.address.namespace, this.claimName);
  }

  /** One request whose answer `read` consumes, counted as activity until it is read. */
  private async call<T>(operation: string, path: string, init: SendOptions, read: (res: Response) => Promise<T>): Promise<T> {
    const end = this.trackActivity();
    try {
      return await read(await this.request(operation, path, init));
    } finally {
      end();
    }
  }

  /** Direct mode: marks the sandbox active (when it has an idle timeout) until the returned function is called. */
  private trackActivity(): () => void {
    return this.direct?.track(this.address, this.endpoint.sandbox?.idleTimeoutSeconds) ?? (() => undefined);
  }

  private async request(operation: string, path: string, init: SendOptions): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(operation, path, init);
      if (res.ok) return res;
      if (RETRYABLE.has(res.status) && attempt < 3) {
        await res.body?.cancel();
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        continue;
      }
      const text = await res.text();
      let detail = text;
      try {
        const parsed = JSON.parse(text) as { detail?: string; message?: string };
        detail = parsed.detail ?? parsed.message ?? text;
      } catch {
        // Not JSON: keep the raw text.
      }
      throw new SandboxRequestError(this.address.namespace, this.address.sandbox, res.status, detail, operation);
    }
  }

  /**
   * One fetch. When the endpoint refuses the connection, it is resolved again once: in direct mode the sandbox
   * may have moved to a new pod IP (e.g. after resume), or be suspended, and is then resumed first. Nothing was sent,
   * so retrying cannot run a command twice.
   */
  private async send(operation: string, path: string, init: SendOptions): Promise<Response> {
    const wake = this.direct && init.resume !== false;
    if (wake && this.endpoint.sandbox?.serving === false) return this.wakeAndSend(operation, path, init);
    const failedUrl = this.endpoint.baseUrl;
    try {
      return await this.fetchFrom(this.endpoint, path, init);
    } catch (err) {
      if (init.signal?.aborted || !isDialFailure(err)) throw this.connectionError(operation, failedUrl, err);
      const fresh = await this.reconnect().catch(() => undefined); // e.g. the Sandbox is gone: report the refusal
      if (wake && fresh?.sandbox?.serving === false) {
        this.endpoint = fresh;
        return this.wakeAndSend(operation, path, init);
      }
      if (!fresh || fresh.baseUrl === failedUrl) throw this.connectionError(operation, failedUrl, err);
      this.endpoint = fresh;
      try {
        return await this.fetchFrom(this.endpoint, path, init);
      } catch (retryErr) {
        throw this.connectionError(operation, this.endpoint.baseUrl, retryErr);
      }
    }
  }

  /**
   * Direct mode, for a sandbox that does not serve: resumes it (or waits for it) with every concurrent call, then
   * sends, retrying refused connections within the hold (its runtime may listen a moment after the Pod is Ready).
   */
  private async wakeAndSend(operation: string, path: string, init: SendOptions): Promise<Response> {
    const direct = this.direct!;
    const giveUpAt = Date.now() + direct.holdMs;
    this.endpoint = await this.reconnect(await direct.wake(this.address));
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        return await this.fetchFrom(this.endpoint, path, init);
      } catch (err) {
        if (init.signal?.aborted || !isDialFailure(err) || Date.now() + delay > giveUpAt) throw this.connectionError(operation, this.endpoint.baseUrl, err);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private fetchFrom(endpoint: Endpoint, path: string, init: SendOptions): Promise<Response> {
    const headers: Record<string, string> = { ...endpoint.headers };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (init.resume === false) headers['x-sandbox-resume'] = 'false';
    return fetch(endpoint.baseUrl + path, {
      method: init.method ?? 'GET', headers, signal: init.signal, redirect: 'error',
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
  }

  /** Abort errors pass through untouched so callers can tell cancellation from failure. */
  private connectionError(operation: string, context: string, err: unknown): unknown {
    if ((err as Error).name === 'AbortError') return err;
    return new SandboxConnectionError(this.address.namespace, this.address.sandbox, operation, `${context}: ${causeOf(err)}`);
  }
}
