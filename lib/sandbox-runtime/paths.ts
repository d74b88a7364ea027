// Confines client-supplied paths to the runtime's base directory (symlinks included), so no
// request can read or write outside the sandbox workspace.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Thrown when a path escapes the base directory; the server answers 403 `{"message":"Access denied"}`. */
export class AccessDeniedError extends Error {}

function isInside(base: string, candidate: string): boolean {
  return candidate === base || candidate.startsWith(base.endsWith(path.sep) ? base : base + path.sep);
}

/** The nearest existing ancestor of `p` (p itself when it exists), with symlinks resolved. */
function realpathOfExistingAncestor(p: string): string {
  let current = p;
  for (;;) {
    try {
      const real = fs.realpathSync(current);
      return path.join(real, path.relative(current, p));
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return p;
      current = parent;
    }
  }
}

/**
 * Resolves `relative` (as sent by the client, leading slashes ignored) against `baseDir` and returns the
 * absolute path. Throws AccessDeniedError when it, or what its existing symlinks point to, leaves baseDir.
 */
export function confine(baseDir: string, relative: string): string {
  const base = fs.realpathSync(baseDir);
  const resolved = path.resolve(base, relative.replace(/^\/+/, ''));
  if (!isInside(base, resolved) || !isInside(base, realpathOfExistingAncestor(resolved))) {
    throw new AccessDeniedError(`path ${JSON.stringify(relative)} escapes the base directory`);
  }
  return resolved;
}
