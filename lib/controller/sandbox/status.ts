// Sandbox status: deciding whether a computed status is worth writing (semantic equality, nodeName-only deferral)
// and the JSON merge patch for /status that replaces it (fields absent from the new status are deleted).
import { isDeepStrictEqual } from 'node:util';
import { CONDITION } from '../../api/conditions';
import type { SandboxStatus } from '../../api/types';
import { findCondition } from '../shared/condition-list';

const STATUS_FIELDS: readonly (keyof SandboxStatus)[] = ['serviceFQDN', 'service', 'conditions', 'selector', 'podIPs', 'nodeName', 'actions'];

/** Empty strings, empty lists and undefined all mean "absent" on the wire (omitempty). */
function normalise(status: SandboxStatus | undefined): Partial<Record<keyof SandboxStatus, unknown>> {
  const out: Partial<Record<keyof SandboxStatus, unknown>> = {};
  for (const field of STATUS_FIELDS) {
    const value = status?.[field];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    out[field] = value;
  }
  return out;
}

/**
 * True when `next` must be written: it differs from `current`, and not only in `nodeName` while Ready is not True
 * (the node name then rides along with the next write, typically Ready).
 */
export function statusNeedsWrite(current: SandboxStatus | undefined, next: SandboxStatus): boolean {
  const a = normalise(current);
  const b = normalise(next);
  if (isDeepStrictEqual(a, b)) return false;
  const ready = findCondition(next.conditions, CONDITION.ready)?.status === 'True';
  if (!ready && isDeepStrictEqual({ ...a, nodeName: undefined }, { ...b, nodeName: undefined })) return false;
  return true;
}

/** `{status: …}` merge patch making the stored status equal `next` (absent fields become null). */
export function statusPatch(next: SandboxStatus): { status: Record<string, unknown> } {
  const normalised = normalise(next);
  const status: Record<string, unknown> = {};
  for (const field of STATUS_FIELDS) status[field] = normalised[field] ?? null;
  return { status };
}
