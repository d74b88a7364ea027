// Who wrote what, from the API server's audit log (the local plane logs every write at Metadata level): lets the
// bench and tests split the writes a claim causes from the pool refilling behind it, which request counters cannot.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { auditLogPath } from '../plane/components';
import { clusterDir } from '../plane/plane';

export interface AuditWrite {
  verb: string;
  user: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  /** Empty for creates with generateName. */
  name?: string;
  code?: number;
}

interface AuditLine {
  verb: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

export class AuditLog {
  constructor(private readonly path = auditLogPath(clusterDir)) {
    if (!existsSync(path)) throw new Error(`no audit log at ${path}: the control plane predates audit logging; restart it (npm run cluster:down)`);
  }

  /** The current end of the log: pass it to `since` later. */
  mark(): number {
    return statSync(this.path).size;
  }

  /** Writes logged after `mark` (whole lines only). */
  since(mark: number): AuditWrite[] {
    const size = statSync(this.path).size;
    if (size <= mark) return [];
    const buffer = Buffer.alloc(size - mark);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, mark);
    } finally {
      closeSync(fd);
    }
    const text = buffer.toString('utf8');
    return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((line) => {
      const entry = JSON.parse(line) as AuditLine;
      const ref = entry.objectRef ?? {};
      return {
        verb: entry.verb, user: entry.user?.username ?? '', resource: ref.resource ?? '', subresource: ref.subresource,
        namespace: ref.namespace, name: ref.name, code: entry.responseStatus?.code,
      };
    });
  }
}

/** `resource[/subresource] verb` → count. */
export function countByKind(writes: AuditWrite[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of writes) {
    const key = `${w.subresource ? `${w.resource}/${w.subresource}` : w.resource} ${w.verb}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/**
 * A write a warm claim's path made: on the claim, on its (already existing) Sandbox or that Sandbox's Pod metadata,
 * or an event from our controller (SandboxAdopted). Creating, binding and starting the refill member are not.
 */
export function isClaimPathWrite(w: AuditWrite, claims: ReadonlySet<string>, bound: ReadonlySet<string>): boolean {
  if (w.resource === 'sandboxclaims') return claims.has(w.name ?? '');
  if (w.resource === 'sandboxes') return bound.has(w.name ?? '') && w.verb !== 'create';
  if (w.resource === 'pods') return bound.has(w.name ?? '') && !w.subresource && (w.verb === 'patch' || w.verb === 'update');
  if (w.resource === 'events') return w.user.startsWith('system:serviceaccount:');
  return false;
}
