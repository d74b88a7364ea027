// Lossless conversion between v1alpha1 and v1beta1 (the storage version) of our four kinds. Fields one version
// cannot express travel in an annotation on the other, so both round trips give back the object they started from.

import { isDeepStrictEqual } from 'node:util';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import { CORE_GROUP, EXTENSIONS_GROUP, SANDBOX, SANDBOX_CLAIM, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL } from '../groups';
import type { OperatingMode, Sandbox, SandboxClaim, SandboxTemplate, SandboxWarmPool } from '../types';
import type {
  AnyV1alpha1Object, SandboxClaimSpecV1alpha1, SandboxClaimV1alpha1, SandboxTemplateV1alpha1, SandboxV1alpha1,
  SandboxWarmPoolV1alpha1,
} from './v1alpha1-types';

/** On a v1beta1 object: JSON of its v1alpha1 fields that v1beta1 cannot express. */
export const V1ALPHA1_FIELDS_ANNOTATION = 'agent-sandbox-kit.dev/v1alpha1-fields';
/** On a v1alpha1 object: JSON of its v1beta1 fields that v1alpha1 cannot express. */
export const V1BETA1_FIELDS_ANNOTATION = 'agent-sandbox-kit.dev/v1beta1-fields';

export const V1ALPHA1 = 'v1alpha1';

export type AnyV1beta1Object = Sandbox | SandboxTemplate | SandboxWarmPool | SandboxClaim;

/** A conversion that cannot be done; the message names the object and the field. */
export class ConversionError extends Error {
  constructor(readonly object: string, readonly field: string, reason: string) {
    super(`${object}: ${field}: ${reason}`);
    this.name = 'ConversionError';
  }
}

type Fields = Record<string, unknown>;

function describe(obj: { kind: string; metadata?: ObjectMeta }): string {
  const { namespace, name } = obj.metadata ?? {};
  return `${obj.kind} ${namespace ? `${namespace}/` : ''}${name ?? '<unnamed>'}`;
}

/** Drops undefined members, so converted objects carry only fields that are set. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function withAnnotations(metadata: ObjectMeta, annotations: Record<string, string>): ObjectMeta {
  const { annotations: _, ...rest } = metadata;
  return Object.keys(annotations).length > 0 ? { ...rest, annotations } : rest;
}

/** Metadata with `fields` stored under `key` (JSON), or without `key` when there is nothing to keep. */
function stash(metadata: ObjectMeta, key: string, fields: Fields): ObjectMeta {
  const kept = compact(fields);
  const { [key]: _, ...annotations } = metadata.annotations ?? {};
  return withAnnotations(metadata, Object.keys(kept).length > 0 ? { ...annotations, [key]: JSON.stringify(kept) } : annotations);
}

/** The fields stored under `key` and the metadata without that annotation. */
function unstash(obj: { kind: string; metadata: ObjectMeta }, key: string): { metadata: ObjectMeta; fields: Fields } {
  const { [key]: raw, ...annotations } = obj.metadata.annotations ?? {};
  if (raw === undefined) return { metadata: obj.metadata, fields: {} };
  let fields: unknown;
  try {
    fields = JSON.parse(raw);
  } catch {
    throw new ConversionError(describe(obj), `metadata.annotations["${key}"]`, 'is not valid JSON');
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new ConversionError(describe(obj), `metadata.annotations["${key}"]`, 'must be a JSON object');
  }
  return { metadata: withAnnotations(obj.metadata, annotations), fields: fields as Fields };
}

// --- Sandbox: v1alpha1 replicas 0/1 <-> v1beta1 operatingMode; status.replicas (v1alpha1) and status.nodeName (v1beta1).

const statusReplicasFor = (mode: OperatingMode | undefined): number => (mode === 'Suspended' ? 0 : 1);

function sandboxToV1beta1(alpha: SandboxV1alpha1): Sandbox {
  const { metadata, fields: beta } = unstash(alpha, V1BETA1_FIELDS_ANNOTATION);
  const { replicas, ...spec } = alpha.spec;
  let operatingMode: OperatingMode | undefined;
  if (replicas === 0) operatingMode = 'Suspended';
  else if (replicas === 1) operatingMode = 'Running';
  else if (replicas !== undefined) throw new ConversionError(describe(alpha), 'spec.replicas', `must be 0 (Suspended) or 1 (Running), got ${replicas}`);
  const kept: Fields = {};
  let status: Sandbox['status'];
  if (alpha.status) {
    const { replicas: statusReplicas, ...rest } = alpha.status;
    if (statusReplicas !== statusReplicasFor(operatingMode)) kept.statusReplicas = statusReplicas ?? null;
    status = compact({ ...rest, nodeName: beta.nodeName as string | undefined });
  }
  return compact({
    apiVersion: SANDBOX.apiVersion as Sandbox['apiVersion'], kind: 'Sandbox' as const,
    metadata: stash(metadata, V1ALPHA1_FIELDS_ANNOTATION, kept),
    spec: compact({ ...spec, operatingMode }),
    status,
  });
}

function sandboxToV1alpha1(sandbox: Sandbox): SandboxV1alpha1 {
  const { metadata, fields: alpha } = unstash(sandbox, V1ALPHA1_FIELDS_ANNOTATION);
  const { operatingMode, ...spec } = sandbox.spec;
  const replicas = operatingMode === undefined ? undefined : statusReplicasFor(operatingMode);
  let status: SandboxV1alpha1['status'];
  let nodeName: string | undefined;
  if (sandbox.status) {
    const { nodeName: node, ...rest } = sandbox.status;
    nodeName = node;
    const statusReplicas = 'statusReplicas' in alpha ? alpha.statusReplicas as number | null : statusReplicasFor(operatingMode);
    status = compact({ ...rest, replicas: statusReplicas ?? undefined });
  }
  return compact({
    apiVersion: `${CORE_GROUP}/${V1ALPHA1}` as const, kind: 'Sandbox' as const,
    metadata: stash(metadata, V1BETA1_FIELDS_ANNOTATION, { nodeName }),
    spec: compact({ ...spec, replicas }),
    status,
  });
}

// --- SandboxTemplate: spec.volumeClaimTemplatesPolicy exists only in v1beta1.

function templateToV1beta1(alpha: SandboxTemplateV1alpha1): SandboxTemplate {
  const { metadata, fields: beta } = unstash(alpha, V1BETA1_FIELDS_ANNOTATION);
  return {
    apiVersion: SANDBOX_TEMPLATE.apiVersion as SandboxTemplate['apiVersion'], kind: 'SandboxTemplate', metadata,
    spec: compact({ ...alpha.spec, volumeClaimTemplatesPolicy: beta.volumeClaimTemplatesPolicy as SandboxTemplate['spec']['volumeClaimTemplatesPolicy'] }),
  };
}

function templateToV1alpha1(template: SandboxTemplate): SandboxTemplateV1alpha1 {
  const { volumeClaimTemplatesPolicy, ...spec } = template.spec;
  return {
    apiVersion: `${EXTENSIONS_GROUP}/${V1ALPHA1}`, kind: 'SandboxTemplate',
    metadata: stash(template.metadata, V1BETA1_FIELDS_ANNOTATION, { volumeClaimTemplatesPolicy }),
    spec,
  };
}

// --- SandboxWarmPool: status.observedGeneration exists only in v1beta1.

function warmPoolToV1beta1(alpha: SandboxWarmPoolV1alpha1): SandboxWarmPool {
  const { metadata, fields: beta } = unstash(alpha, V1BETA1_FIELDS_ANNOTATION);
  const status = alpha.status && compact({ ...alpha.status, observedGeneration: beta.observedGeneration as number | undefined });
  return compact({ apiVersion: SANDBOX_WARM_POOL.apiVersion as SandboxWarmPool['apiVersion'], kind: 'SandboxWarmPool' as const, metadata, spec: alpha.spec, status });
}

function warmPoolToV1alpha1(pool: SandboxWarmPool): SandboxWarmPoolV1alpha1 {
  const { observedGeneration, ...status } = pool.status ?? {};
  return compact({
    apiVersion: `${EXTENSIONS_GROUP}/${V1ALPHA1}` as const, kind: 'SandboxWarmPool' as const,
    metadata: stash(pool.metadata, V1BETA1_FIELDS_ANNOTATION, { observedGeneration }),
    spec: pool.spec,
    status: pool.status && status,
  });
}

// --- SandboxClaim: v1alpha1 sandboxTemplateRef + warmpool policy <-> v1beta1 warmPoolRef; spec.volumeClaimTemplates only in v1beta1.

const CHOOSING_POLICIES = new Set(['none', 'default']);
type PoolChoice = Pick<SandboxClaimSpecV1alpha1, 'sandboxTemplateRef' | 'warmpool'>;

/**
 * The SandboxWarmPool a v1alpha1 claim is served from: the pool its warmpool policy names, otherwise (`none`,
 * `default`, unset) the pool named after its template.
 */
function poolNameOf(choice: PoolChoice, where: string): string {
  if (choice.warmpool !== undefined && choice.warmpool !== '' && !CHOOSING_POLICIES.has(choice.warmpool)) return choice.warmpool;
  const template = choice.sandboxTemplateRef?.name;
  if (!template) {
    throw new ConversionError(where, 'spec.sandboxTemplateRef.name',
      `is required when spec.warmpool is ${choice.warmpool ? `"${choice.warmpool}"` : 'unset'}: the claim is served by the SandboxWarmPool named after its template`);
  }
  return template;
}

/** The v1alpha1 fields that name `pool` when no others were kept. */
function choiceFor(pool: string): PoolChoice {
  return CHOOSING_POLICIES.has(pool) ? { sandboxTemplateRef: { name: pool }, warmpool: 'default' } : { warmpool: pool };
}

function claimToV1beta1(alpha: SandboxClaimV1alpha1): SandboxClaim {
  const { metadata, fields: beta } = unstash(alpha, V1BETA1_FIELDS_ANNOTATION);
  const { sandboxTemplateRef, warmpool, ...spec } = alpha.spec;
  const choice = compact({ sandboxTemplateRef, warmpool });
  const pool = poolNameOf(choice, describe(alpha));
  const kept = isDeepStrictEqual(choice, choiceFor(pool)) ? {} : { choice };
  return compact({
    apiVersion: SANDBOX_CLAIM.apiVersion as SandboxClaim['apiVersion'], kind: 'SandboxClaim' as const,
    metadata: stash(metadata, V1ALPHA1_FIELDS_ANNOTATION, kept),
    spec: compact({ warmPoolRef: { name: pool }, ...spec, volumeClaimTemplates: beta.volumeClaimTemplates as SandboxClaim['spec']['volumeClaimTemplates'] }),
    status: alpha.status,
  });
}

function keptChoice(fields: Fields, pool: string, where: string): PoolChoice | undefined {
  const choice = fields.choice as PoolChoice | undefined;
  if (!choice) return undefined;
  try {
    // Kept fields that no longer name the claim's pool are stale (warmPoolRef was changed through v1beta1).
    return poolNameOf(choice, where) === pool ? choice : undefined;
  } catch {
    return undefined;
  }
}

function claimToV1alpha1(claim: SandboxClaim): SandboxClaimV1alpha1 {
  const { metadata, fields: alpha } = unstash(claim, V1ALPHA1_FIELDS_ANNOTATION);
  const { warmPoolRef, volumeClaimTemplates, ...spec } = claim.spec;
  const choice = keptChoice(alpha, warmPoolRef.name, describe(claim)) ?? choiceFor(warmPoolRef.name);
  return compact({
    apiVersion: `${EXTENSIONS_GROUP}/${V1ALPHA1}` as const, kind: 'SandboxClaim' as const,
    metadata: stash(metadata, V1BETA1_FIELDS_ANNOTATION, { volumeClaimTemplates }),
    spec: { ...choice, ...spec },
    status: claim.status,
  });
}

// --- Dispatch.

/** The v1beta1 form of a v1alpha1 object. Throws ConversionError naming the field it cannot convert. */
export function toV1beta1(obj: AnyV1alpha1Object): AnyV1beta1Object {
  switch (obj.kind) {
    case 'Sandbox': return sandboxToV1beta1(obj);
    case 'SandboxTemplate': return templateToV1beta1(obj);
    case 'SandboxWarmPool': return warmPoolToV1beta1(obj);
    case 'SandboxClaim': return claimToV1beta1(obj);
  }
}

/** The v1alpha1 form of a v1beta1 object. Throws ConversionError naming the field it cannot convert. */
export function toV1alpha1(obj: AnyV1beta1Object): AnyV1alpha1Object {
  switch (obj.kind) {
    case 'Sandbox': return sandboxToV1alpha1(obj);
    case 'SandboxTemplate': return templateToV1alpha1(obj);
    case 'SandboxWarmPool': return warmPoolToV1alpha1(obj);
    case 'SandboxClaim': return claimToV1alpha1(obj);
  }
}

const KIND_GROUPS: Record<string, string> = Object.fromEntries(
  [SANDBOX, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL, SANDBOX_CLAIM].map((k) => [k.kind, k.group]),
);

/**
 * Converts an object of any of our kinds and versions to `desiredAPIVersion` (`group/version`), as a
 * ConversionReview asks; an object already in that version is returned as it is.
 */
export function convertObject(obj: unknown, desiredAPIVersion: string): object {
  const candidate = obj as { apiVersion?: unknown; kind?: unknown; metadata?: ObjectMeta; spec?: unknown };
  const kind = typeof candidate?.kind === 'string' ? candidate.kind : '';
  const where = describe({ kind: kind || '<unknown kind>', metadata: candidate?.metadata });
  const group = KIND_GROUPS[kind];
  if (!group) throw new ConversionError(where, 'kind', `is not one of ${Object.keys(KIND_GROUPS).join(', ')}`);
  const versions = [`${group}/${V1ALPHA1}`, `${group}/v1beta1`];
  if (!versions.includes(desiredAPIVersion)) throw new ConversionError(where, 'desiredAPIVersion', `${desiredAPIVersion} is not one of ${versions.join(', ')}`);
  if (!versions.includes(candidate.apiVersion as string)) throw new ConversionError(where, 'apiVersion', `${String(candidate.apiVersion)} is not one of ${versions.join(', ')}`);
  if (typeof candidate.spec !== 'object' || candidate.spec === null) throw new ConversionError(where, 'spec', 'is required');
  if (candidate.apiVersion === desiredAPIVersion) return candidate;
  const withMetadata = { ...candidate, metadata: candidate.metadata ?? {} };
  return desiredAPIVersion.endsWith(`/${V1ALPHA1}`)
    ? toV1alpha1(withMetadata as AnyV1beta1Object)
    : toV1beta1(withMetadata as AnyV1alpha1Object);
}
