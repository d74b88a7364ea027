// Read-only file endpoints of the runtime (`/download`, `/list`, `/exists`), wire-compatible with
// upstream's Python runtime and confined to the base directory (uploads: upload.ts; sandboxd's API: sandboxd-files.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { sendJson } from './http-io';
import { confine } from './paths';
import type { RuntimeConfig } from './config';

/** Answers with the bytes of file `target` (`stat`: its stats); a HEAD request gets the headers only. */
export async function sendFile(req: IncomingMessage, res: ServerResponse, target: string, stat: fs.Stats): Promise<void> {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': stat.size,
    'last-modified': stat.mtime.toUTCString(),
    'content-disposition': `attachment; filename*=utf-8''${encodeURIComponent(path.basename(target))}`,
  });
  if (req.method === 'HEAD') return void res.end();
  await pipeline(fs.createReadStream(target), res);
}

export async function handleDownload(req: IncomingMessage, res: ServerResponse, config: RuntimeConfig, relative: string): Promise<void> {
  const target = confine(config.baseDir, relative);
  const stat = await fs.promises.stat(target).catch(() => undefined);
  if (!stat?.isFile()) return sendJson(res, 404, { message: 'File not found' });
  await sendFile(req, res, target, stat);
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
