// Request/response helpers for the runtime server: capped body reads and JSON replies.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Thrown when a request body exceeds the configured cap; answered with 413. */
export class BodyTooLargeError extends Error {}

/** Reads the whole request body, refusing more than `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.destroy();
        reject(new BodyTooLargeError(`request body exceeds ${maxBytes} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Parses a JSON object body; throws with a message naming what is wrong. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  const value: unknown = JSON.parse(body.toString('utf8') || 'null');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('request body must be a JSON object');
  return value as Record<string, unknown>;
}
