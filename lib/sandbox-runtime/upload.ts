// Receiving files with bounded memory: `POST /upload`, wire-compatible with upstream's python runtime (one
// multipart field `file` whose filename is the destination path), and the bodies of sandboxd's `PUT /v1/files`
// (raw bytes, or a multipart `file` part). The body is parsed as it arrives (@fastify/busboy), the file streams
// to a temporary file beside its destination and is renamed into place once complete, and a body over the cap
// is refused as soon as it passes it.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { RuntimeConfig } from './config';
import { BadRequestError, BodyTooLargeError, refuseDeclaredOversize, sendJson } from './http-io';
import { confine } from './paths';

const FILE_FIELD = 'file';

/** `fileField`: treat that field as the file even without a filename (sandboxd); else parts with a filename are files. */
function multipartParser(req: IncomingMessage, fileField?: string): BusboyInstance {
  const contentType = req.headers['content-type'];
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) {
    throw new BadRequestError('Expected multipart/form-data with a "file" field');
  }
  try {
    // preservePath: the filename is the destination path, not just its last component.
    return Busboy({
      headers: { ...req.headers, 'content-type': contentType }, preservePath: true,
      ...(fileField ? { isPartAFile: (field: string | undefined) => field === fileField } : {}),
    });
  } catch (err) {
    throw new BadRequestError(`multipart body: ${(err as Error).message}`);
  }
}

/**
 * Writes `content` (a stream, or streams piped one into the next) to `destination` through a fresh temporary file
 * in the same directory, with permission bits `mode`; returns the size.
 */
async function saveAtomically(content: Readable[], destination: string, baseDir: string, { mode = 0o644, signal }: { mode?: number; signal?: AbortSignal }): Promise<number> {
  if (destination === fs.realpathSync(baseDir)) throw new BadRequestError('the upload name must name a file, not the workspace');
  if ((await fs.promises.stat(destination).catch(() => undefined))?.isDirectory()) throw new BadRequestError('the path is a directory');
  await fs.promises.mkdir(path.dirname(destination), { recursive: true });
  const temporary = path.join(path.dirname(destination), `.upload-${randomUUID()}.tmp`);
  try {
    // 'wx' creates a new file and never follows a symlink planted at its name.
    const out = fs.createWriteStream(temporary, { flags: 'wx', mode });
    await pipeline([...content, out], signal ? { signal } : {});
    // The process umask narrows the creation mode; the caller asked for exactly these bits.
    await fs.promises.chmod(temporary, mode);
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

export interface SavedFile {
  /** The destination as the client named it. */
  readonly name: string;
  readonly size: number;
}

/**
 * Saves the multipart part `file` to `destinationOf(its filename)` with permission bits `mode`. `fileField`: take
 * the `file` part even without a filename (sandboxd); else only a part with a non-empty filename counts.
 */
export async function receiveMultipartFile(
  req: IncomingMessage, config: RuntimeConfig, destinationOf: (filename: string) => string, options: { mode?: number; fileField?: boolean } = {},
): Promise<SavedFile> {
  refuseDeclaredOversize(req, config.maxBodyBytes);
  const parser = multipartParser(req, options.fileField ? FILE_FIELD : undefined);
  return new Promise<SavedFile>((resolve, reject) => {
    let saving: Promise<SavedFile> | undefined;
    const abandon = new AbortController();
    const fail = (err: Error): void => {
      if (abandon.signal.aborted) return;
      abandon.abort(err);
      req.removeAllListeners('data');
      parser.destroy();
      // Answer only once the save has given up and removed its temporary file.
      void Promise.resolve(saving).catch(() => undefined).then(() => reject(err));
    };
    parser.on('file', (field, content, filename = '') => {
      // A part ends in error when the body is cut short; the parser itself may not say so.
      content.on('error', (err) => fail(new BadRequestError(`multipart body: ${err.message}`)));
      if (field !== FILE_FIELD || saving || (filename === '' && !options.fileField)) return void content.resume();
      saving = Promise.resolve()
        .then(() => saveAtomically([content], destinationOf(filename), config.baseDir, { mode: options.mode, signal: abandon.signal }))
        .then((size) => ({ name: filename, size }));
      saving.catch(fail);
    });
    parser.once('error', (err: unknown) => fail(new BadRequestError(`multipart body: ${(err as Error).message}`)));
    parser.once('finish', () => {
      if (!saving) return fail(new BadRequestError(`Missing multipart field "file"${options.fileField ? '' : ' with a filename'}`));
      saving.then(resolve, fail);
    });
    feed(req, parser, config.maxBodyBytes, fail);
  });
}

/** Saves the raw request body to `destination` with permission bits `mode`; returns the size. */
export async function receiveRawFile(req: IncomingMessage, config: RuntimeConfig, destination: string, mode?: number): Promise<number> {
  refuseDeclaredOversize(req, config.maxBodyBytes);
  let size = 0;
  const capped = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > config.maxBodyBytes ? new BodyTooLargeError(`request body exceeds ${config.maxBodyBytes} bytes`) : null, chunk);
    },
  });
  // pipe(), not pipeline(): a refused body must leave the request (and its socket) open for the 413.
  req.pipe(capped);
  capped.once('error', () => req.unpipe(capped));
  req.once('aborted', () => capped.destroy(new BadRequestError('request body ended early')));
  return saveAtomically([capped], destination, config.baseDir, { mode });
}

export async function handleUpload(req: IncomingMessage, res: ServerResponse, config: RuntimeConfig): Promise<void> {
  const saved = await receiveMultipartFile(req, config, (filename) => confine(config.baseDir, filename));
  sendJson(res, 200, { message: `File '${saved.name}' uploaded successfully.`, path: saved.name, size: saved.size });
}
