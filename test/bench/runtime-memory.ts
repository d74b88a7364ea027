// Runtime memory under abusive clients: the in-sandbox runtime, compiled as its image compiles it and run as
// its own process, with its RSS sampled from /proc while (1) a client that reads nothing holds a large
// streamed exec open and then reads it all, and (2) several large uploads arrive at once. Used by the
// runtime's unit tests (bounds) and by `npm run bench` (scenario runtime-memory).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { freePorts } from '../cluster/plane/ports';

const repoRoot = path.resolve(__dirname, '..', '..');

export interface RuntimeProcess {
  readonly port: number;
  readonly baseDir: string;
  /** Resident set size now, in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

/**
 * Compiles lib/sandbox-runtime with the flags Dockerfile.runtime uses (so the process measured is the
 * shipped JavaScript, not a TypeScript loader) and starts it on a free loopback port.
 */
export async function startCompiledRuntime(workDir: string, maxBodyBytes: number): Promise<RuntimeProcess> {
  const outDir = path.join(repoRoot, '.bench', `runtime-${process.pid}`);
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--outDir', outDir, '--rootDir', 'lib', '--target', 'ES2022',
    '--module', 'node16', '--moduleResolution', 'node16', '--types', 'node', '--strict', '--skipLibCheck', 'lib/sandbox-runtime/main.ts'], { cwd: repoRoot });
  const baseDir = path.join(workDir, 'app');
  const [port] = await freePorts(1);
  const child: ChildProcess = spawn(process.execPath, [path.join(outDir, 'sandbox-runtime', 'main.js'),
    '--bind-address', '127.0.0.1', '--port', String(port), '--base-dir', baseDir, '--max-body-bytes', String(maxBodyBytes)],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`runtime exited with ${code} before listening`)));
  });
  return {
    port: port!,
    baseDir,
    rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Runs `body` while sampling `rss` every 20 ms; returns its result and the peak in bytes. */
export async function peakRssDuring<T>(rss: () => number, body: () => Promise<T>): Promise<{ result: T; peakBytes: number }> {
  let peakBytes = rss();
  const timer = setInterval(() => { peakBytes = Math.max(peakBytes, rss()); }, 20);
  try {
    const result = await body();
    return { result, peakBytes: Math.max(peakBytes, rss()) };
  } finally {
    clearInterval(timer);
  }
}

export interface StreamOutcome {
  /** Bytes of NDJSON the client read once it started reading. */
  readonly bytesRead: number;
  /** The final `exit` event. */
  readonly exit: Record<string, unknown>;
}

/**
 * Streams `yes | head -c <bytes>` through `/v1/exec/stream` to a client that reads nothing for `stallMs`
 * (its socket is paused, so the kernel buffers fill), then reads everything: the whole output must still
 * arrive, in order, after the stall.
 */
export function stallingStreamClient(port: number, bytes: number, stallMs: number): Promise<StreamOutcome> {
  const body = JSON.stringify({ command: ['sh', '-c', `yes | head -c ${bytes}`] });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/exec/stream', headers: { 'content-type': 'application/json' } }, (res) => {
      res.pause();
      setTimeout(() => {
        let bytesRead = 0;
        let tail = '';
        res.on('data', (chunk: Buffer) => {
          bytesRead += chunk.length;
          tail = (tail + chunk.toString('latin1')).slice(-512);
        });
        res.once('end', () => resolve({ bytesRead, exit: JSON.parse(tail.trimEnd().split('\n').at(-1)!) }));
        res.resume();
      }, stallMs);
    });
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * Uploads `bytes` of zeros as `name` in one multipart part, generated while sending (the client holds one
 * MiB), honouring the socket's backpressure. Resolves with the status and parsed answer.
 */
export function streamingUpload(port: number, name: string, bytes: number, declareLength = true): Promise<{ status: number; body: Record<string, unknown> }> {
  const boundary = `----bench${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(1024 * 1024);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/upload',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(declareLength ? { 'content-length': head.length + bytes + tail.length } : {}),
      },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is sent: that answer is the outcome.
    req.on('error', (err) => { if (!req.writableEnded) reject(err); });
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes && !req.destroyed) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end(tail);
    };
    req.write(head);
    pump();
  });
}

export interface RuntimeMemoryResult {
  /** Peak runtime RSS (MiB) while a non-reading client held a stream of `streamBytes`, and while it read it. */
  readonly streamPeakMiB: number;
  readonly stream: StreamOutcome;
  /** Peak runtime RSS (MiB) during the concurrent uploads. */
  readonly uploadsPeakMiB: number;
  readonly uploads: Array<{ status: number; body: Record<string, unknown> }>;
  /** RSS (MiB) of the idle runtime before the scenarios. */
  readonly idleMiB: number;
}

export interface RuntimeMemoryOptions {
  readonly streamBytes: number;
  readonly stallMs: number;
  readonly uploadBytes: number;
  readonly uploads: number;
  readonly maxBodyBytes: number;
}

/** Issue 21's scenarios: a 500 MB stream to a stalled client and 3 × 250 MB uploads, under the 256 MiB body cap. */
export const RUNTIME_MEMORY_DEFAULTS: RuntimeMemoryOptions = {
  streamBytes: 500_000_000,
  stallMs: 3000,
  uploadBytes: 250_000_000,
  uploads: 3,
  maxBodyBytes: 256 * 1024 * 1024,
};

const MiB = 2 ** 20;

export async function measureRuntimeMemory(workDir: string, options: RuntimeMemoryOptions = RUNTIME_MEMORY_DEFAULTS): Promise<RuntimeMemoryResult> {
  const runtime = await startCompiledRuntime(workDir, options.maxBodyBytes);
  try {
    const idleMiB = runtime.rss() / MiB;
    const streamed = await peakRssDuring(runtime.rss, () => stallingStreamClient(runtime.port, options.streamBytes, options.stallMs));
    const uploaded = await peakRssDuring(runtime.rss, () => Promise.all(
      Array.from({ length: options.uploads }, (_, i) => streamingUpload(runtime.port, `uploads/big-${i}.bin`, options.uploadBytes)),
    ));
    return { idleMiB, streamPeakMiB: streamed.peakBytes / MiB, stream: streamed.result, uploadsPeakMiB: uploaded.peakBytes / MiB, uploads: uploaded.result };
  } finally {
    await runtime.stop();
  }
}
