// The in-sandbox runtime HTTP server: routes requests to the exec and file handlers and maps
// errors to upstream-compatible statuses (403 Access denied, 413 too large, 400 bad request).
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { RuntimeConfig } from './config';
import { handleExecute, StreamingExecs } from './exec-handlers';
import { handleDownload, handleExists, handleList } from './files';
import { BadRequestError, BodyTooLargeError, sendJson, sendJsonAndLinger } from './http-io';
import { AccessDeniedError } from './paths';
import { handleUpload } from './upload';

type Route = (req: http.IncomingMessage, res: http.ServerResponse, rest: string) => Promise<void> | void;

export interface RuntimeServer {
  readonly server: http.Server;
  /** Resolves with the bound port once listening. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

function routesFor(config: RuntimeConfig, streams: StreamingExecs): Array<[method: string, prefix: RegExp, route: Route]> {
  return [
    ['GET', /^\/$/, (_req, res) => sendJson(res, 200, { status: 'ok', message: 'Sandbox Runtime is active.' })],
    ['POST', /^\/execute$/, (req, res) => handleExecute(req, res, config)],
    ['POST', /^\/upload$/, (req, res) => handleUpload(req, res, config)],
    ['GET', /^\/download\/(.*)$/, (_req, res, rest) => handleDownload(res, config, rest)],
    ['GET', /^\/list(?:\/(.*))?$/, (_req, res, rest) => handleList(res, config, rest)],
    ['GET', /^\/exists\/(.*)$/, (_req, res, rest) => handleExists(res, config, rest)],
    ['POST', /^\/v1\/exec\/stream$/, (req, res) => streams.handleStream(req, res)],
    ['POST', /^\/v1\/exec\/([0-9a-f-]+)\/cancel$/, (_req, res, id) => streams.handleCancel(res, id)],
    ['POST', /^\/v1\/actions\/([0-9a-f-]+)$/, (req, res, id) => streams.handleAction(req, res, id)],
    ['GET', /^\/v1\/actions\/([0-9a-f-]+)\/output$/, (_req, res, id) => streams.handleFollow(res, id)],
  ];
}

/** File-system errors a client's request can cause, answered as client errors without the server's paths. */
const CLIENT_FS_ERRORS: Record<string, [status: number, message: string]> = {
  ENOENT: [404, 'File not found'],
  ENOTDIR: [400, 'a parent of the path is not a directory'],
  EISDIR: [400, 'the path is a directory'],
  ENOTEMPTY: [400, 'the path is a non-empty directory'],
  EEXIST: [400, 'the path already exists'],
  ENAMETOOLONG: [400, 'the path or one of its names is too long'],
  ELOOP: [400, 'too many symlinks in the path'],
  EINVAL: [400, 'the path is not valid here'],
  EACCES: [403, 'Access denied'],
  EPERM: [403, 'Access denied'],
};

/** Maps a failed request to its status: client errors are 4xx with a message; 500 is left for the runtime's own faults. */
function replyToError(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const fsError = CLIENT_FS_ERRORS[(err as NodeJS.ErrnoException).code ?? ''];
  // The body may be partly unread: answer, then close the connection rather than read all that is left.
  const reply = req.complete ? sendJson : (r: http.ServerResponse, status: number, body: unknown) => sendJsonAndLinger(req, r, status, body);
  if (err instanceof AccessDeniedError) reply(res, 403, { message: 'Access denied' });
  else if (err instanceof BodyTooLargeError) reply(res, 413, { message: err.message });
  else if (err instanceof BadRequestError || err instanceof URIError) reply(res, 400, { message: err.message });
  else if (fsError) reply(res, fsError[0], { message: fsError[1] });
  else reply(res, 500, { message: (err as Error).message ?? String(err) });
}

/** Creates (but does not start) a runtime server for `config`; the base directory is created if missing. */
export function createRuntimeServer(config: RuntimeConfig): RuntimeServer {
  fs.mkdirSync(config.baseDir, { recursive: true });
  const streams = new StreamingExecs(config);
  const routes = routesFor(config, streams);
  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?', 1)[0]!;
    const match = routes.find(([method, pattern]) => method === req.method && pattern.test(pathname));
    if (!match) return sendJson(res, 404, { message: `No route for ${req.method} ${pathname}` });
    const [, pattern, route] = match;
    Promise.resolve()
      .then(() => route(req, res, decodeURIComponent(pattern.exec(pathname)![1] ?? '')))
      .catch((err: unknown) => replyToError(req, res, err));
  });
  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve((server.address() as { port: number }).port));
      }),
    close: () =>
      new Promise((resolve) => {
        streams.cancelAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
