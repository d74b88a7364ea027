// File endpoints of the runtime (`/upload`, `/download`, `/list`, `/exists`), wire-compatible with
// upstream's Python runtime and confined to the base directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { readBody, sendJson } from './http-io';
import { multipartBoundary, parseMultipartFiles } from './multipart';
import { confine } from './paths';
import type { RuntimeConfig } from './config';

export async function handleUpload(req: IncomingMessage, res: ServerResponse, config: RuntimeConfig): Promise<void> {
  const boundary = multipartBoundary(req.headers['content-type']);
  if (!boundary) return sendJson(res, 400, { message: 'Expected multipart/form-data with a "file" field' });
  const files = parseMultipartFiles(await readBody(req, config.maxBodyBytes), boundary);
  const file = files.find((f) => f.field === 'file');
  if (!file || file.filename === '') return sendJson(res, 400, { message: 'Missing multipart field "file" with a filename' });
  const destination = confine(config.baseDir, file.filename);
  await fs.promises.mkdir(path.dirname(destination), { recursive: true });
  await fs.promises.writeFile(destination, file.content);
  sendJson(res, 200, { message: `File '${file.filename}' uploaded successfully.`, path: file.filename, size: file.content.length });
}

export async function handleDownload(res: ServerResponse, config: RuntimeConfig, relative: string): Promise<void> {
  const target = confine(config.baseDir, relative);
  const stat = await fs.promises.stat(target).catch(() => undefined);
  if (!stat?.isFile()) return sendJson(res, 404, { message: 'File not found' });
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': stat.size,
    'content-disposition': `attachment; filename*=utf-8''${encodeURIComponent(path.basename(target))}`,
  });
  await pipeline(fs.createReadStream(target), res);
}

export async function handleList(res: ServerResponse, config: RuntimeConfig, relative: string): Promise<void> {
  const target = confine(config.baseDir, relative);
  const entries = await fs.promises.readdir(target, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return sendJson(res, 404, { message: 'Directory not found' });
  const listing = await Promise.all(
    entries.map(async (entry) => {
      const stat = await fs.promises.lstat(path.join(target, entry.name));
      return { name: entry.name, size: stat.size, type: stat.isDirectory() ? 'directory' : 'file', mod_time: stat.mtimeMs / 1000 };
    }),
  );
  sendJson(res, 200, listing);
}

export async function handleExists(res: ServerResponse, config: RuntimeConfig, relative: string): Promise<void> {
  const target = confine(config.baseDir, relative);
  const exists = await fs.promises.access(target).then(() => true, () => false);
  sendJson(res, 200, { path: relative, exists });
}
