// A claimed sandbox: run commands (unary or streamed), move files, suspend/resume and terminate. All
// traffic goes through the resolved endpoint (router or direct) to the in-sandbox runtime.
import type { Sandbox as SandboxObject } from '../api';
import { Resources, type KubeClient } from '../kube';
import { deleteClaim } from './claims';
import type { Endpoint, SandboxAddress } from './connection';
import { SandboxConnectionError, SandboxRequestError } from './errors';

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
const DIAL_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

interface SendOptions {
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
    /** Resolves the endpoint again after a refused connection. @default - the same endpoint */
    private readonly reconnect: () => Promise<Endpoint> = async () => endpoint,
  ) {}

  /** Runs `command` (a string split like a shell would, or argv) and waits for it to finish. */
  async run(command: string | readonly string[], options: RunOptions = {}): Promise<ExecutionResult> {
    const res = await this.request('run', '/execute', { method: 'POST', json: { command, timeout: options.timeoutSeconds }, signal: options.signal });
    const body = (await res.json()) as { stdout: string; stderr: string; exit_code: number; timed_out?: boolean };
    return { stdout: body.stdout, stderr: body.stderr, exitCode: body.exit_code, timedOut: body.timed_out ?? false };
  }

  /** Runs `command` and yields its output as it is produced, ending with the exit event. */
  async *runStream(command: string | readonly string[], options: RunOptions = {}): AsyncGenerator<StreamEvent> {
    const res = await this.request('runStream', '/v1/exec/stream', { method: 'POST', json: { command, timeout: options.timeoutSeconds }, signal: options.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    let exited = false;
    try {
      for (;;) {
        const { done, value } = await reader.read().catch((err: unknown) => {
          throw this.connectionError('runStream', 'stream interrupted', err);
        });
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const event = JSON.parse(buffered.slice(0, newline)) as StreamEvent;
          buffered = buffered.slice(newline + 1);
          exited ||= event.type === 'exit';
          yield event;
        }
      }
      // A cut stream must not pass for a finished command (e.g. the router's stream idle timeout).
      if (!exited) throw new SandboxConnectionError(this.address.namespace, this.address.sandbox, 'runStream', 'the stream ended before the command exited');
    } finally {
      // Leaving early (break/throw) closes the connection, which makes the runtime kill the command.
      await reader.cancel().catch(() => undefined);
    }
  }

  readonly files = {
    /** Writes `content` to `path` (relative to the runtime's base dir; parents are created). */
    write: async (path: string, content: string | Uint8Array): Promise<void> => {
      const form = new FormData();
      form.append('file', new Blob([typeof content === 'string' ? content : Buffer.from(content)]), path);
      await this.request('files.write', '/upload', { method: 'POST', body: form });
    },
    read: async (path: string): Promise<Buffer> => {
      const res = await this.request('files.read', `/download/${encodeURIComponent(path)}`, {});
      return Buffer.from(await res.arrayBuffer());
    },
    list: async (path = ''): Promise<FileEntry[]> => (await this.request('files.list', `/list/${encodeURIComponent(path)}`, {})).json() as Promise<FileEntry[]>,
    exists: async (path: string): Promise<boolean> => ((await (await this.request('files.exists', `/exists/${encodeURIComponent(path)}`, {})).json()) as { exists: boolean }).exists,
  };

  /** Asks the controller to suspend the sandbox (Sandbox spec.operatingMode = Suspended). */
  async suspend(): Promise<void> {
    await this.kube.mergePatch<SandboxObject>(Resources.sandboxes, this.address.namespace, this.address.sandbox, { spec: { operatingMode: 'Suspended' } });
  }

  async resume(): Promise<void> {
    await this.kube.mergePatch<SandboxObject>(Resources.sandboxes, this.address.namespace, this.address.sandbox, { spec: { operatingMode: 'Running' } });
  }

  /** Deletes the claim (and with it the sandbox). Idempotent: an already deleted claim is success. */
  async terminate(): Promise<void> {
    await deleteClaim(this.kube, this.address.namespace, this.claimName);
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
   * may have moved to a new pod IP (e.g. after resume). Nothing was sent, so retrying cannot run a command twice.
   */
  private async send(operation: string, path: string, init: SendOptions): Promise<Response> {
    const failedUrl = this.endpoint.baseUrl;
    try {
      return await this.fetchFrom(this.endpoint, path, init);
    } catch (err) {
      if (init.signal?.aborted || !isDialFailure(err)) throw this.connectionError(operation, failedUrl, err);
      const fresh = await this.reconnect().catch(() => undefined); // e.g. the Sandbox is gone: report the refusal
      if (!fresh || fresh.baseUrl === failedUrl) throw this.connectionError(operation, failedUrl, err);
      this.endpoint = fresh;
      try {
        return await this.fetchFrom(this.endpoint, path, init);
      } catch (retryErr) {
        throw this.connectionError(operation, this.endpoint.baseUrl, retryErr);
      }
    }
  }

  private fetchFrom(endpoint: Endpoint, path: string, init: SendOptions): Promise<Response> {
    const headers: Record<string, string> = { ...endpoint.headers };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
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
