// The Sandbox's Pod: building it from spec.podTemplate, and reconciling the metadata of an existing Pod (copy
// changed template keys, prune keys that left the template, managed labels) into one merge patch. The Pod spec is
// never updated after creation.
import type { Pod, Volume } from 'kubernetes-types/core/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import { EXTENSIONS_GROUP, SANDBOX_WARM_POOL } from '../../api/groups';
import { ANNOTATION, LABEL, isSystemKey, normaliseCreatedBy } from '../../api/metadata-keys';
import { nameHash } from '../../api/name-hash';
import type { Sandbox } from '../../api/types';
import { controllerIsKind, controllerRefTo, sandboxOwner, withControllerRef } from '../shared/ownership';
import { pvcName } from './pvc';

type Kind = 'label' | 'annotation';

function nonSystem(map: Record<string, string> | undefined, kind: Kind): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) if (!isSystemKey(key, kind)) out[key] = value;
  return out;
}

/** Template labels and annotations that may reach the Pod. */
export function templateMetadata(sandbox: Sandbox): { labels: Record<string, string>; annotations: Record<string, string> } {
  const meta = sandbox.spec.podTemplate.metadata;
  return { labels: nonSystem(meta?.labels, 'label'), annotations: nonSystem(meta?.annotations, 'annotation') };
}

/**
 * Labels the controller owns on the Pod, with `undefined` meaning "must be absent": the name hash, the extension
 * labels (template-ref-hash while an extension controls the Sandbox, warm-pool only while a SandboxWarmPool does),
 * and the normalised created-by.
 */
export function managedPodLabels(sandbox: Sandbox): Record<string, string | undefined> {
  const labels = sandbox.metadata.labels ?? {};
  const byExtension = controllerIsKind(sandbox.metadata, EXTENSIONS_GROUP);
  const byPool = controllerIsKind(sandbox.metadata, EXTENSIONS_GROUP, SANDBOX_WARM_POOL.kind);
  const createdBy = labels[LABEL.createdBy];
  return {
    [LABEL.sandboxNameHash]: nameHash(sandbox.metadata.name ?? ''),
    [LABEL.templateRefHash]: byExtension ? labels[LABEL.templateRefHash] : undefined,
    [LABEL.warmPoolSandbox]: byPool ? labels[LABEL.warmPoolSandbox] : undefined,
    [LABEL.createdBy]: createdBy === undefined ? undefined : normaliseCreatedBy(createdBy),
  };
}

/**
 * Annotations the controller owns on the Pod besides the bookkeeping ones (`undefined` = must be absent): for a
 * Sandbox an extension controls, safe-to-evict is "true" exactly while a warm pool controls it and marked it
 * evictable, so an adopted sandbox's Pod stops being evictable without touching its pod template. A template that
 * sets safe-to-evict itself keeps it as an ordinary template key; plain Sandboxes are left alone.
 */
export function managedPodAnnotations(sandbox: Sandbox, template: ReturnType<typeof templateMetadata>): Record<string, string | undefined> {
  if (ANNOTATION.safeToEvict in template.annotations || !controllerIsKind(sandbox.metadata, EXTENSIONS_GROUP)) return {};
  const evictable = controllerIsKind(sandbox.metadata, EXTENSIONS_GROUP, SANDBOX_WARM_POOL.kind)
    && sandbox.metadata.annotations?.[ANNOTATION.safeToEvict] === 'true';
  return { [ANNOTATION.safeToEvict]: evictable ? 'true' : undefined };
}

/** The two bookkeeping annotations (sorted, comma-joined key lists); `undefined` when the list is empty. */
export function trackingAnnotations(template: ReturnType<typeof templateMetadata>): Record<string, string | undefined> {
  const list = (map: Record<string, string>) => Object.keys(map).sort().join(',') || undefined;
  return { [ANNOTATION.propagatedLabels]: list(template.labels), [ANNOTATION.propagatedAnnotations]: list(template.annotations) };
}

function defined(map: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) if (value !== undefined) out[key] = value;
  return out;
}

/** Template volumes with one PVC volume per volumeClaimTemplate, replacing a same-name template volume. */
export function podVolumes(sandbox: Sandbox): Volume[] | undefined {
  const claims = sandbox.spec.volumeClaimTemplates ?? [];
  const volumes = sandbox.spec.podTemplate.spec.volumes;
  if (claims.length === 0) return volumes;
  const claimed = new Map(claims.map((vct) => [vct.metadata?.name ?? '', pvcName(sandbox, vct)]));
  const kept = (volumes ?? []).filter((v) => !claimed.has(v.name));
  return [...kept, ...[...claimed].map(([name, claimName]) => ({ name, persistentVolumeClaim: { claimName } }))];
}

/** The Pod to create for `sandbox`: same name and namespace, controlled by the Sandbox. */
export function buildPod(sandbox: Sandbox): Pod {
  const template = templateMetadata(sandbox);
  const spec = structuredClone(sandbox.spec.podTemplate.spec);
  const volumes = podVolumes(sandbox);
  if (volumes) spec.volumes = volumes;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: sandbox.metadata.name,
      namespace: sandbox.metadata.namespace,
      labels: { ...template.labels, ...defined(managedPodLabels(sandbox)) },
      annotations: { ...template.annotations, ...defined(trackingAnnotations(template)), ...defined(managedPodAnnotations(sandbox, template)) },
      ownerReferences: [controllerRefTo(sandboxOwner(sandbox))],
    },
    spec,
  };
}

/** A JSON merge patch on Pod metadata; `null` deletes a key. */
export interface PodMetadataPatch {
  metadata: Pick<ObjectMeta, 'ownerReferences'> & {
    labels?: Record<string, string | null>;
    annotations?: Record<string, string | null>;
  };
}

function splitList(value: string | undefined): string[] {
  return value ? value.split(',').filter(Boolean) : [];
}

/**
 * Changes that bring `current` (one kind of Pod metadata) to the desired state: template keys copied, keys listed in
 * the tracking annotation that left the template pruned, then the controller-owned keys (`undefined` = absent) set.
 */
function diffKeys(
  current: Record<string, string>, template: Record<string, string>, tracked: string[],
  owned: Record<string, string | undefined>,
): Record<string, string | null> | undefined {
  const wanted: Record<string, string | null> = {};
  for (const key of tracked) if (!(key in template)) wanted[key] = null;
  Object.assign(wanted, template);
  for (const [key, value] of Object.entries(owned)) wanted[key] = value ?? null;
  const changes: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(wanted)) {
    if (value === null ? key in current : current[key] !== value) changes[key] = value;
  }
  return Object.keys(changes).length > 0 ? changes : undefined;
}

/**
 * The merge patch bringing an existing Pod's labels and annotations in line with `sandbox` (plus the controller
 * reference when `adopt`), or undefined when nothing differs.
 */
export function podMetadataPatch(pod: Pod, sandbox: Sandbox, adopt = false): PodMetadataPatch | undefined {
  const template = templateMetadata(sandbox);
  const podAnnotations = pod.metadata?.annotations ?? {};
  const labels = diffKeys(
    pod.metadata?.labels ?? {}, template.labels, splitList(podAnnotations[ANNOTATION.propagatedLabels]), managedPodLabels(sandbox));
  const annotations = diffKeys(
    podAnnotations, template.annotations, splitList(podAnnotations[ANNOTATION.propagatedAnnotations]),
    { ...trackingAnnotations(template), ...managedPodAnnotations(sandbox, template) });
  if (!labels && !annotations && !adopt) return undefined;
  const metadata: PodMetadataPatch['metadata'] = {};
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  if (adopt) metadata.ownerReferences = withControllerRef(pod.metadata, sandboxOwner(sandbox));
  return { metadata };
}
