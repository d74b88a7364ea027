// The in-sandbox runtime HTTP server: routes requests to the exec and file handlers and maps errors to
// upstream-compatible statuses (403 Access denied, 413 too large, 400 bad request) and bodies: `{message}` as the
// python runtime answers, plus sandboxd's `code` on its `/v1/files` API. The same routes are served on the
// sandboxd REST port, and the sandboxd ProcessService on its gRPC port, when configured.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { RuntimeConfig } from './config';
import { handleExecute, StreamingExecs } from './exec-handlers';
import { handleDownload, handleExists, handleList } from './files';
import { BadRequestError, BodyTooLargeError, ConflictError, sendJson, sendJsonAndLinger } from './http-io';
import { AccessDeniedError } from './paths';
import type { ProcessService } from './process-service';
import { handleFileDelete, handleFileGet, handleFilePut, handleHealth } from './sandboxd-files';
import { handleUpload } from './upload';

type Route = (req: http.IncomingMessage, res: http.ServerResponse, rest: string) => Promise<void> | void;

export interface RuntimeServer {
  readonly server: http.Server;
  /** Starts every configured listener; resolves with the bound port of the main one. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

function routesFor(config: RuntimeConfig, streams: StreamingExecs): Array<[method: string, prefix: RegExp, route: Route]> {
  const startedAt = Date.now();
  const sandboxdFile = /^\/v1\/files\/(.*)$/;
  return [
    ['GET', /^\/$/, (_req, res) => sendJson(res, 200, { status: 'ok', message: 'Sandbox Runtime is active.' })],
    ['POST', /^\/execute$/, (req, res) => handleExecute(req, res, config)],
    ['POST', /^\/upload$/, (req, res) => handleUpload(req, res, config)],
    ['GET', /^\/download\/(.*)$/, (req, res, rest) => handleDownload(req, res, config, rest)],
    ['GET', /^\/list(?:\/(.*))?$/, (_req, res, rest) => handleList(res, config, rest)],
    ['GET', /^\/exists\/(.*)$/, (_req, res, rest) => handleExists(res, config, rest)],
    ['POST', /^\/v1\/exec\/stream$/, (req, res) => streams.handleStream(req, res)],
    ['POST', /^\/v1\/exec\/([0-9a-f-]+)\/cancel$/, (_req, res, id) => streams.handleCancel(res, id)],
    ['GET', sandboxdFile, (req, res, rest) => handleFileGet(req, res, config, rest)],
    ['HEAD', sandboxdFile, (req, res, rest) => handleFileGet(req, res, config, rest)],
    ['PUT', sandboxdFile, (req, res, rest) => handleFilePut(req, res, config, rest)],
    ['DELETE', sandboxdFile, (req, res, rest) => handleFileDelete(req, res, config, rest)],
    ['GET', /^\/v1\/health$/, (_req, res) => handleHealth(res, startedAt)],
    ['POST', /^\/v1\/actions\/([0-9a-f-]+)$/, (req, res, id) => streams.handleAction(req, res, id)],
    ['GET', /^\/v1\/actions\/([0-9a-f-]+)\/output$/, (_req, res, id) => streams.handleFollow(res, id)],
  ];
}

/** File-system errors a client's request can cause, answered as client errors without the server's paths. */
const CLIENT_FS_ERRORS: Record<string, [status: number, message: string]> = {
  ENOENT: [404, 'File not found'],
  ENOTDIR: [400, 'a parent of the path is not a directory'],
  EISDIR: [400, 'the path is a directory'],
  ENOTEMPTY: [409, 'the path is a non-empty directory'],
  EEXIST: [400, 'the path already exists'],
  ENAMETOOLONG: [400, 'the path or one of its names is too long'],
  ELOOP: [400, 'too many symlinks in the path'],
  EINVAL: [400, 'the path is not valid here'],
  EACCES: [403, 'Access denied'],
  EPERM: [403, 'Access denied'],
};

/** sandboxd's error `code` for each status we answer. */
const ERROR_CODES: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL',
};

/**
 * Maps a failed request to its status: client errors are 4xx with a message; 500 is left for the runtime's own
 * faults. `sandboxd`: the request was for sandboxd's API, whose error bodies also carry a `code`.
 */
function replyToError(req: http.IncomingMessage, res: http.ServerResponse, err: unknown, sandboxd: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const fsError = CLIENT_FS_ERRORS[(err as NodeJS.ErrnoException).code ?? ''];
  // The body may be partly unread: answer, then close the connection rather than read all that is left.
  const reply = (status: number, message: string): void => {
    const body = sandboxd ? { code: ERROR_CODES[status], message } : { message };
    if (req.complete) sendJson(res, status, body);
    else sendJsonAndLinger(req, res, status, body);
  };
  if (err instanceof AccessDeniedError) reply(403, 'Access denied');
  else if (err instanceof BodyTooLargeError) reply(413, err.message);
  else if (err instanceof BadRequestError || err instanceof URIError) reply(400, err.message);
  else if (err instanceof ConflictError) reply(409, err.message);
  else if (fsError) reply(fsError[0], fsError[1]);
  else reply(500, (err as Error).message ?? String(err));
}

/** Creates (but does not start) a runtime server for `config`; the base directory is created if missing. */
export function createRuntimeServer(config: RuntimeConfig): RuntimeServer {
  fs.mkdirSync(config.baseDir, { recursive: true });
  const streams = new StreamingExecs(config);
  const routes = routesFor(config, streams);
  const handler: http.RequestListener = (req, res) => {
    const pathname = (req.url ?? '/').split('?', 1)[0]!;
    const match = routes.find(([method, pattern]) => method === req.method && pattern.test(pathname));
    if (!match) return sendJson(res, 404, { message: `No route for ${req.method} ${pathname}` });
    const [, pattern, route] = match;
    Promise.resolve()
      .then(() => route(req, res, decodeURIComponent(pattern.exec(pathname)![1] ?? '')))
      .catch((err: unknown) => replyToError(req, res, err, pathname.startsWith('/v1/files/')));
  };
  const server = http.createServer(handler);
  const restServer = config.sandboxdRestPort > 0 ? http.createServer(handler) : undefined;
  let processService: ProcessService | undefined;
  const listenOn = (s: http.Server, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, config.host, () => resolve((s.address() as { port: number }).port));
    });
  const closeServer = (s: http.Server): Promise<void> =>
    new Promise((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  return {
    server,
    listen: async () => {
      // The main port last: once it answers, every listener is up.
      // gRPC is loaded only when its port is on: it adds about 10 MiB to every runtime otherwise.
      if (config.sandboxdGrpcPort > 0) {
        const { startProcessService } = require('./process-service') as typeof import('./process-service');
        processService = await startProcessService(config, config.sandboxdGrpcPort);
      }
      if (restServer) await listenOn(restServer, config.sandboxdRestPort);
      return listenOn(server, config.port);
    },
    close: async () => {
      streams.cancelAll();
      await Promise.all([closeServer(server), restServer && closeServer(restServer), processService?.close()]);
    },
  };
}
