// Confines client-supplied paths to the runtime's base directory, so no request can read or write
// outside the sandbox workspace: every symlink on the way is followed, dangling ones included.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadRequestError } from './http-io';

/** Thrown when a path escapes the base directory; the server answers 403 `{"message":"Access denied"}`. */
export class AccessDeniedError extends Error {}

/** Linux's own limit on symlinks followed while resolving one path (ELOOP). */
const MAX_SYMLINKS = 40;

function isInside(base: string, candidate: string): boolean {
  return candidate === base || candidate.startsWith(base.endsWith(path.sep) ? base : base + path.sep);
}

/** lstat, or undefined when nothing is there (also when a parent is a file rather than a directory). */
function lstatIfPresent(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Where `absolute` leads once every symlink on it is followed: like realpath, but a missing tail
 * (or a dangling link's missing target) is kept as written, so a file about to be created through a
 * link is judged by where it would land.
 */
function resolveLinks(absolute: string): string {
  let pending = absolute.split(path.sep).filter(Boolean);
  let resolved: string = path.sep;
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      resolved = path.dirname(resolved);
      continue;
    }
    const candidate = path.join(resolved, name);
    const stat = lstatIfPresent(candidate);
    if (!stat) return path.join(candidate, ...pending);
    if (!stat.isSymbolicLink()) {
      resolved = candidate;
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new AccessDeniedError(`too many symlinks in ${absolute}`);
    const target = fs.readlinkSync(candidate);
    if (path.isAbsolute(target)) resolved = path.sep;
    pending = [...target.split(path.sep).filter(Boolean), ...pending];
  }
  return resolved;
}

/**
 * Resolves `relative` (as sent by the client, leading slashes ignored) against `baseDir` and returns the
 * absolute path with every symlink followed. Throws AccessDeniedError when that leaves baseDir, and
 * BadRequestError for names no file can have.
 */
export function confine(baseDir: string, relative: string): string {
  if (relative.includes('\0')) throw new BadRequestError('path must not contain a NUL byte');
  const base = fs.realpathSync(baseDir);
  const resolved = resolveLinks(path.resolve(base, relative.replace(/^\/+/, '')));
  if (!isInside(base, resolved)) throw new AccessDeniedError(`path ${JSON.stringify(relative)} escapes the base directory`);
  return resolved;
}
