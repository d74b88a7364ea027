// Upstream sandboxd's Filesystem REST API (`/v1/files/{path}`: GET reads a file or lists a directory, HEAD probes,
// PUT writes atomically, DELETE removes; `/v1/health`), on the same confinement, size caps and atomic writes as
// the python-runtime endpoints. Paths arrive percent-encoded with `/` as %2F; the server decodes them first.
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { RuntimeConfig } from './config';
import { sendFile } from './files';
import { BadRequestError, ConflictError, sendJson } from './http-io';
import { confine } from './paths';
import { receiveMultipartFile, receiveRawFile } from './upload';

/** One entry of a sandboxd DirectoryListing. */
export interface SandboxdFileEntry {
  readonly name: string;
  readonly size: number;
  readonly type: 'file' | 'directory';
  /** RFC 3339, UTC, whole seconds. */
  readonly modified_at: string;
  /** Octal permission bits, e.g. `0644`. */
  readonly mode: string;
}

const queryOf = (req: IncomingMessage): URLSearchParams => new URL(req.url ?? '/', 'http://runtime').searchParams;

const rfc3339 = (date: Date): string => date.toISOString().replace(/\.\d+Z$/, 'Z');

/** Entries of `directory` by name; a symlink is listed as what it points to, a dangling one is left out (as upstream). */
async function directoryEntries(directory: string): Promise<SandboxdFileEntry[]> {
  const names = (await fs.promises.readdir(directory)).sort();
  const entries = await Promise.all(names.map(async (name): Promise<SandboxdFileEntry | undefined> => {
    const stat = await fs.promises.stat(path.join(directory, name)).catch(() => undefined);
    if (!stat) return undefined;
    return {
      name, size: stat.size, type: stat.isDirectory() ? 'directory' : 'file',
      modified_at: rfc3339(stat.mtime), mode: (stat.mode & 0o777).toString(8).padStart(4, '0'),
    };
  }));
  return entries.filter((entry): entry is SandboxdFileEntry => entry !== undefined);
}

/** GET and HEAD: a file's bytes, or a directory's `{path, entries}` listing. */
export async function handleFileGet(req: IncomingMessage, res: ServerResponse, config: RuntimeConfig, relative: string): Promise<void> {
  const target = confine(config.baseDir, relative);
  const stat = await fs.promises.stat(target);
  if (stat.isFile()) return sendFile(req, res, target, stat);
  // A FIFO or device would hold the answer open (or never end it).
  if (!stat.isDirectory()) throw new BadRequestError('the path is neither a regular file nor a directory');
  sendJson(res, 200, { path: relative.startsWith('/') ? relative : `/${relative}`, entries: await directoryEntries(target) });
}

const MODE = /^0[0-7]{3}$/;

/** PUT: writes the body (raw bytes, or a multipart `file` part) atomically, creating parent directories; 204. */
export async function handleFilePut(req: IncomingMessage, res: ServerResponse, config: RuntimeConfig, relative: string): Promise<void> {
  const modeParam = queryOf(req).get('mode');
  if (modeParam !== null && !MODE.test(modeParam)) throw new BadRequestError(`mode ${JSON.stringify(modeParam)} must match ^0[0-7]{3}$`);
  const mode = modeParam === null ? 0o644 : parseInt(modeParam, 8);
  const destination = confine(config.baseDir, relative);
  if (/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')) {
    await receiveMultipartFile(req, config, () => destination, { mode, fileField: true });
  } else {
    await receiveRawFile(req, config, destination, mode);
  }
  res.writeHead(204).end();
}

function booleanParam(req: IncomingMessage, name: string): boolean {
  const raw = queryOf(req).get(name);
  if (raw === null || raw === '') return false;
  if (/^(1|t|true)$/i.test(raw)) return true;
  if (/^(0|f|false)$/i.test(raw)) return false;
  throw new BadRequestError(`${name} ${JSON.stringify(raw)} must be a boolean`);
}

const NOT_EMPTY = 'the directory is not empty; pass recursive=true to remove it';

/**
 * DELETE: removes a file, a symlink (never what it points to) or a directory (`recursive=true` with its contents,
 * else only when empty: 409). The workspace itself is never removed; `recursive=true` empties it.
 */
export async function handleFileDelete(req: IncomingMessage, res: ServerResponse, config: RuntimeConfig, relative: string): Promise<void> {
  const recursive = booleanParam(req, 'recursive');
  const normalized = path.posix.normalize(`/${relative}`);
  if (normalized === '/') {
    if (!recursive) throw new ConflictError(NOT_EMPTY);
    const base = confine(config.baseDir, '');
    for (const name of await fs.promises.readdir(base)) await fs.promises.rm(path.join(base, name), { recursive: true, force: true });
    return void res.writeHead(204).end();
  }
  // The parent is confined (every link on the way followed); the last name is removed as it is.
  const entry = path.join(confine(config.baseDir, path.posix.dirname(normalized)), path.posix.basename(normalized));
  const stat = await fs.promises.lstat(entry);
  if (stat.isDirectory() && !recursive) {
    await fs.promises.rmdir(entry).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOTEMPTY' || err.code === 'EEXIST' ? new ConflictError(NOT_EMPTY) : err;
    });
  } else {
    await fs.promises.rm(entry, { recursive });
  }
  res.writeHead(204).end();
}

/** `GET /v1/health`: the readiness probe of upstream's sandboxd. */
export function handleHealth(res: ServerResponse, startedAt: number): void {
  sendJson(res, 200, { status: 'ok', uptime_seconds: Math.floor((Date.now() - startedAt) / 1000) });
}
