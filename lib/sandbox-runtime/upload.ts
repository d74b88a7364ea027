// `POST /upload`, wire-compatible with upstream (one multipart field `file` whose filename is the
// destination path), with bounded memory: the body is parsed as it arrives (@fastify/busboy), the file
// streams to a temporary file beside its destination and is renamed into place once complete, and a
// body over the cap is refused as soon as it passes it.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { RuntimeConfig } from './config';
import { BadRequestError, BodyTooLargeError, refuseDeclaredOversize, sendJson } from './http-io';
import { confine } from './paths';

const FILE_FIELD = 'file';

function multipartParser(req: IncomingMessage): BusboyInstance {
  const contentType = req.headers['content-type'];
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) {
    throw new BadRequestError('Expected multipart/form-data with a "file" field');
  }
  try {
    // preservePath: the filename is the destination path, not just its last component.
    return Busboy({ headers: { ...req.headers, 'content-type': contentType }, preservePath: true });
  } catch (err) {
    throw new BadRequestError(`multipart body: ${(err as Error).message}`);
  }
}

/** Writes `content` to `destination` through a fresh temporary file in the same directory; returns the size. */
async function saveAtomically(content: Readable, destination: string, baseDir: string, signal: AbortSignal): Promise<number> {
  if (destination === fs.realpathSync(baseDir)) throw new BadRequestError('the upload name must name a file, not the workspace');
  await fs.promises.mkdir(path.dirname(destination), { recursive: true });
  const temporary = path.join(path.dirname(destination), `.upload-${randomUUID()}.tmp`);
  try {
    // 'wx' creates a new file and never follows a symlink planted at its name.
    const out = fs.createWriteStream(temporary, { flags: 'wx', mode: 0o644 });
    await pipeline(content, out, { signal });
    await fs.promises.rename(temporary, destination);
    return out.bytesWritten;
  } catch (err) {
    await fs.promises.rm(temporary, { force: true });
    throw err;
  }
}

/** Feeds the body to the parser with backpressure, failing as soon as it exceeds `maxBytes`. */
function feed(req: IncomingMessage, parser: BusboyInstance, maxBytes: number, fail: (err: Error) => void): void {
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > maxBytes) return fail(new BodyTooLargeError(`request body exceeds ${maxBytes} bytes`));
    if (!parser.write(chunk)) {
      req.pause();
      parser.once('drain', () => req.resume());
    }
  };
  req.on('data', onData);
  req.once('end', () => parser.end());
  req.once('aborted', () => fail(new BadRequestError('request body ended early')));
}

export async function handleUpload(req: IncomingMessage, res: ServerResponse, config: RuntimeConfig): Promise<void> {
  refuseDeclaredOversize(req, config.maxBodyBytes);
  const parser = multipartParser(req);
  const saved = await new Promise<{ name: string; size: number }>((resolve, reject) => {
    let saving: Promise<{ name: string; size: number }> | undefined;
    const abandon = new AbortController();
    const fail = (err: Error): void => {
      if (abandon.signal.aborted) return;
      abandon.abort(err);
      req.removeAllListeners('data');
      parser.destroy();
      // Answer only once the save has given up and removed its temporary file.
      void Promise.resolve(saving).catch(() => undefined).then(() => reject(err));
    };
    parser.on('file', (field, content, filename) => {
      // A part ends in error when the body is cut short; the parser itself may not say so.
      content.on('error', (err) => fail(new BadRequestError(`multipart body: ${err.message}`)));
      if (field !== FILE_FIELD || saving || filename === '') return void content.resume();
      saving = Promise.resolve()
        .then(() => saveAtomically(content, confine(config.baseDir, filename), config.baseDir, abandon.signal))
        .then((size) => ({ name: filename, size }));
      saving.catch(fail);
    });
    parser.once('error', (err: unknown) => fail(new BadRequestError(`multipart body: ${(err as Error).message}`)));
    parser.once('finish', () => {
      if (!saving) return fail(new BadRequestError('Missing multipart field "file" with a filename'));
      saving.then(resolve, fail);
    });
    feed(req, parser, config.maxBodyBytes, fail);
  });
  sendJson(res, 200, { message: `File '${saved.name}' uploaded successfully.`, path: saved.name, size: saved.size });
}
