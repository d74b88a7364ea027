// Read-only file endpoints of the runtime (`/download`, `/list`, `/exists`), wire-compatible with
// upstream's Python runtime and confined to the base directory (uploads: upload.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { sendJson } from './http-io';
import { confine } from './paths';
import type { RuntimeConfig } from './config';

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
