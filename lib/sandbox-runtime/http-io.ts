// Request/response helpers for the runtime server: capped body reads, client errors and JSON replies.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Thrown when a request body exceeds the configured cap; answered with 413. */
export class BodyTooLargeError extends Error {}

/** Thrown when the request itself is malformed; answered with 400 and this message. */
export class BadRequestError extends Error {}

/** Thrown when the request conflicts with what is there (a non-empty directory to remove); answered with 409. */
export class ConflictError extends Error {}

/** Throws BodyTooLargeError when the declared Content-Length is already over `maxBytes`, before any byte is read. */
export function refuseDeclaredOversize(req: IncomingMessage, maxBytes: number): void {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) throw new BodyTooLargeError(`request body of ${declared} bytes exceeds ${maxBytes} bytes`);
}

/** Reads the whole request body, refusing more than `maxBytes` (the rest of the body is discarded, not buffered). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  refuseDeclaredOversize(req, maxBytes);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off('data', onData);
      chunks.length = 0;
      req.resume();
      reject(new BodyTooLargeError(`request body exceeds ${maxBytes} bytes`));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** How long the unread rest of a refused request's body is still drained before the connection is closed. */
const LINGER_MS = 2000;

/**
 * Answers a request whose body was not (fully) read. The rest of the body is drained, never buffered,
 * for a short while before the connection is closed: closing a socket with unread data resets it, and
 * the client would see the reset instead of the answer (Node closes at once on `connection: close`).
 */
export function sendJsonAndLinger(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  res.once('finish', () => {
    req.resume();
    setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, LINGER_MS).unref();
  });
  sendJson(res, status, body);
}

/** Parses a JSON object body; throws BadRequestError naming what is wrong. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8') || 'null');
  } catch (err) {
    throw new BadRequestError(`request body is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestError('request body must be a JSON object');
  return value as Record<string, unknown>;
}
