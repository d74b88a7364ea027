// Upstream sandboxd's gRPC ProcessService (process.proto) over the runtime's own exec: Execute (what upstream's SDKs
// call for `commands.run`) and Start (streamed output, no PTY). Same bounds as `/execute`: no shell, cwd confined to
// the workspace, at most `execTimeoutSeconds` (or the caller's deadline, if sooner), `maxOutputBytes` per stream kept,
// every process of a command killed when it ends, times out or the call is cancelled. Plaintext, like upstream's.
import * as net from 'node:net';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { RuntimeConfig } from './config';
import { collectOutput, startExec, type ExecRequest, type ExitInfo } from './exec';
import { placement } from './exec-handlers';
import { BadRequestError } from './http-io';
import { AccessDeniedError } from './paths';

interface ProcessConfig {
  command?: string[];
  env_vars?: Record<string, string>;
  cwd?: string;
}

export interface ProcessService {
  readonly port: number;
  /** Cancels every call (their commands are killed) and stops listening. */
  close(): Promise<void>;
}

/** A failed call: its gRPC status and message. */
class CallError extends Error {
  constructor(readonly code: grpc.status, message: string) {
    super(message);
  }
}

const PROTO_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

function serviceDefinition(): grpc.ServiceDefinition {
  const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(path.join(__dirname, 'process.proto'), PROTO_OPTIONS));
  return ((loaded.process as grpc.GrpcObject).v1 as grpc.GrpcObject & { ProcessService: grpc.ServiceClientConstructor }).ProcessService.service;
}

/** The command of a ProcessConfig, bounded by the runtime's timeout and the call's deadline. */
function execRequest(processConfig: ProcessConfig | undefined, deadline: grpc.Deadline, config: RuntimeConfig): ExecRequest {
  const argv = processConfig?.command ?? [];
  if (argv.length === 0) throw new CallError(grpc.status.INVALID_ARGUMENT, 'command is required');
  if (argv.some((a) => a.includes('\0'))) throw new CallError(grpc.status.INVALID_ARGUMENT, 'command must not contain a NUL byte');
  let where: ReturnType<typeof placement>;
  try {
    where = placement({ cwd: processConfig?.cwd || undefined, env: processConfig?.env_vars }, config);
  } catch (err) {
    if (err instanceof AccessDeniedError) throw new CallError(grpc.status.PERMISSION_DENIED, `cwd: ${err.message}`);
    if (err instanceof BadRequestError) throw new CallError(grpc.status.INVALID_ARGUMENT, err.message);
    throw err;
  }
  const untilDeadline = deadline instanceof Date ? deadline.getTime() - Date.now() : deadline - Date.now();
  return { argv, timeoutMs: Math.max(1, Math.min(config.execTimeoutSeconds * 1000, untilDeadline)), ...where };
}

/** The status of a command that did not run to its own end, or undefined when it did. */
function exitProblem(exit: ExitInfo, req: ExecRequest): CallError | undefined {
  if (exit.startError) return new CallError(grpc.status.INTERNAL, `failed to execute command: ${exit.startError}`);
  if (exit.timedOut) return new CallError(grpc.status.DEADLINE_EXCEEDED, `command timed out after ${req.timeoutMs / 1000} seconds`);
  return undefined;
}

/**
 * gRPC clients refuse replies over 4 MiB unless told otherwise (grpc-python's default), so an Execute reply keeps at
 * most this much of each stream (plus the truncation note), whatever `maxOutputBytes` allows; Start streams it all.
 */
export const EXECUTE_OUTPUT_BYTES_PER_STREAM = 2 * 1024 * 1024 - 64 * 1024;

/** Runs `call`'s command to completion; a call cancelled by its client (or its deadline) kills it. */
async function execute(call: grpc.ServerUnaryCall<{ config?: ProcessConfig }, unknown>, config: RuntimeConfig): Promise<object> {
  const req = execRequest(call.request.config, call.getDeadline(), config);
  const cancelled = new AbortController();
  call.once('cancelled', () => cancelled.abort());
  const { stdout, stderr, exit } = await collectOutput(req, Math.min(config.maxOutputBytes, EXECUTE_OUTPUT_BYTES_PER_STREAM), cancelled.signal);
  const problem = exitProblem(exit, req);
  if (problem) throw problem;
  return { exit_code: exit.exitCode, stdout, stderr };
}

let nextProcessId = 1;

/** Streams `call`'s command: an InitEvent, its output as it arrives (with backpressure), then an ExitEvent. */
async function start(call: grpc.ServerWritableStream<{ config?: ProcessConfig; pty?: object }, unknown>, config: RuntimeConfig): Promise<void> {
  if (call.request.pty) throw new CallError(grpc.status.UNIMPLEMENTED, 'this runtime does not run commands on a terminal (pty)');
  const req = execRequest(call.request.config, call.getDeadline(), config);
  let paused = false;
  const running = startExec(req, (stream, chunk) => {
    if (call.write({ [stream]: chunk }) || paused) return;
    paused = true;
    running.pause();
    call.once('drain', () => {
      paused = false;
      running.resume();
    });
  });
  call.once('cancelled', () => running.cancel());
  call.write({ init: { process_id: nextProcessId++ } });
  const exit = await running.exited;
  const problem = exitProblem(exit, req);
  if (problem) throw problem;
  call.write({ exit: { exit_code: exit.exitCode } });
  call.end();
}

function asStatus(err: unknown): Partial<grpc.StatusObject> {
  return err instanceof CallError ? { code: err.code, details: err.message } : { code: grpc.status.INTERNAL, details: (err as Error).message };
}

/** Serves the ProcessService on `config.host`:`port` (0: any free port). */
export async function startProcessService(config: RuntimeConfig, port: number): Promise<ProcessService> {
  const server = new grpc.Server();
  server.addService(serviceDefinition(), {
    Execute: (call: grpc.ServerUnaryCall<{ config?: ProcessConfig }, object>, callback: grpc.sendUnaryData<object>) => {
      execute(call, config).then((response) => callback(null, response), (err: unknown) => callback(asStatus(err)));
    },
    Start: (call: grpc.ServerWritableStream<{ config?: ProcessConfig; pty?: object }, object>) => {
      // 'error' on a server stream ends it with that status (grpc-js).
      start(call, config).catch((err: unknown) => call.emit('error', asStatus(err)));
    },
  });
  const host = net.isIPv6(config.host) ? `[${config.host}]` : config.host;
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, boundPort) => (err ? reject(err) : resolve(boundPort)));
  });
  return {
    port: bound,
    close: async () => server.forceShutdown(),
  };
}
