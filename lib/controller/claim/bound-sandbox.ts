// Pure builders for the Sandbox side of a claim: the cold-start Sandbox, the single optimistic-lock merge patch that
// adopts a warm pool member, and the metadata-sync patch for an already bound Sandbox.
import { SANDBOX, SANDBOX_CLAIM } from '../../api/groups';
import { ANNOTATION, LABEL } from '../../api/metadata-keys';
import { nameHash } from '../../api/name-hash';
import type { PodMetadata, Sandbox, SandboxClaim, SandboxTemplate } from '../../api/types';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { controllerRefTo } from '../shared/ownership';
import { injectClaimEnv } from './env';
import { mergeWithoutOverrides } from './pod-metadata';
import { mergeVolumeClaimTemplates } from './volumes';
import { applySecureDefaults } from '../shared/template-pod-defaults';

type StringMap = Record<string, string>;
/** A JSON merge patch of a string map: null deletes a key. */
type MapPatch = Record<string, string | null>;

export function claimOwnerReference(claim: SandboxClaim): OwnerReference {
  return controllerRefTo({ apiVersion: SANDBOX_CLAIM.apiVersion, kind: SANDBOX_CLAIM.kind, metadata: claim.metadata });
}

/**
 * Pod-template metadata of a claim's Sandbox: the template's, plus additionalPodMetadata (no overrides). The claim's
 * system labels live on the Sandbox itself (reserved keys never reach the Pod), so an adopted member whose template
 * is unchanged keeps its pod template as it is.
 */
export function desiredPodMetadata(claim: SandboxClaim, templateMeta: PodMetadata | undefined): Required<PodMetadata> {
  const extra = claim.spec.additionalPodMetadata;
  return {
    labels: mergeWithoutOverrides(templateMeta?.labels, extra?.labels, 'spec.additionalPodMetadata.labels'),
    annotations: mergeWithoutOverrides(templateMeta?.annotations, extra?.annotations, 'spec.additionalPodMetadata.annotations'),
  };
}

/** The keys to set and (as null) to delete so that `current` becomes `desired`; undefined when already equal. */
export function mapPatch(current: StringMap | undefined, desired: StringMap): MapPatch | undefined {
  const patch: MapPatch = {};
  for (const [k, v] of Object.entries(desired)) if (current?.[k] !== v) patch[k] = v;
  for (const k of Object.keys(current ?? {})) if (!(k in desired)) patch[k] = null;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/** Labels every claim-bound Sandbox carries (created-by mirrors the claim: null removes a pool's value). */
function boundSandboxLabels(claim: SandboxClaim, templateName: string): MapPatch {
  return {
    [LABEL.claimUid]: claim.metadata.uid!,
    [LABEL.templateRefHash]: nameHash(templateName),
    [LABEL.createdBy]: claim.metadata.labels?.[LABEL.createdBy] ?? null,
  };
}

function podTemplateMetadataPatch(sandbox: Sandbox, desired: Required<PodMetadata>): { labels?: MapPatch; annotations?: MapPatch } | undefined {
  const current = sandbox.spec.podTemplate.metadata;
  const labels = mapPatch(current?.labels, desired.labels);
  const annotations = mapPatch(current?.annotations, desired.annotations);
  if (!labels && !annotations) return undefined;
  return { ...(labels && { labels }), ...(annotations && { annotations }) };
}

/** The startup actions and idle timeout a claim's Sandbox gets: the claim's, else its template's defaults. */
export function claimedLifecycle(claim: SandboxClaim, template: SandboxTemplate | undefined): Pick<Sandbox['spec'], 'startup' | 'idleTimeoutSeconds'> {
  const startup = claim.spec.startup ?? template?.spec.startup;
  const idleTimeoutSeconds = claim.spec.idleTimeoutSeconds ?? template?.spec.idleTimeoutSeconds;
  return { ...(startup && { startup }), ...(idleTimeoutSeconds !== undefined && { idleTimeoutSeconds }) };
}

/**
 * The one write that adopts a warm pool member: the claim becomes the only owner, pool labels go, pod-template
 * metadata becomes the claim's. Sent with the member's resourceVersion so that exactly one claim can win it.
 */
export function adoptionPatch(claim: SandboxClaim, member: Sandbox, templateName: string, podMeta: Required<PodMetadata>, template?: SandboxTemplate): object {
  const labels: MapPatch = {
    ...boundSandboxLabels(claim, templateName),
    [LABEL.warmPoolSandbox]: null,
    [LABEL.templateHash]: null,
    [LABEL.podTemplateHash]: null,
    [LABEL.launchType]: 'warm',
  };
  const annotations: MapPatch = { [ANNOTATION.podName]: member.metadata.name! };
  // The pool's evictability mark ends with the pool's control (the Pod loses safe-to-evict with it).
  if (member.metadata.annotations?.[ANNOTATION.safeToEvict] !== undefined) annotations[ANNOTATION.safeToEvict] = null;
  const trace = claim.metadata.annotations?.[ANNOTATION.traceContext];
  if (trace !== undefined) annotations[ANNOTATION.traceContext] = trace;
  const podTemplateMeta = podTemplateMetadataPatch(member, podMeta);
  // The claim's task: pool members run no actions while pooled, so a warm sandbox starts them at adoption.
  const lifecycle = claimedLifecycle(claim, template);
  const spec = { ...(podTemplateMeta && { podTemplate: { metadata: podTemplateMeta } }), ...lifecycle };
  return {
    metadata: { ownerReferences: [claimOwnerReference(claim)], labels, annotations },
    ...(Object.keys(spec).length > 0 && { spec }),
  };
}

/** Patch bringing a bound Sandbox's claim labels and pod-template metadata in line; undefined when in sync. */
export function metadataSyncPatch(claim: SandboxClaim, sandbox: Sandbox, templateName: string, podMeta: Required<PodMetadata>): object | undefined {
  const wanted = boundSandboxLabels(claim, templateName);
  if (!sandbox.metadata.labels?.[LABEL.launchType]) wanted[LABEL.launchType] = sandbox.metadata.name === claim.metadata.name ? 'cold' : 'warm';
  const current = sandbox.metadata.labels ?? {};
  const labels: MapPatch = {};
  for (const [k, v] of Object.entries(wanted)) if ((current[k] ?? null) !== v) labels[k] = v;
  const podTemplateMeta = podTemplateMetadataPatch(sandbox, podMeta);
  if (Object.keys(labels).length === 0 && !podTemplateMeta) return undefined;
  return {
    ...(Object.keys(labels).length > 0 && { metadata: { labels } }),
    ...(podTemplateMeta && { spec: { podTemplate: { metadata: podTemplateMeta } } }),
  };
}

/** The Sandbox a claim creates when no warm member is available: named like the claim, owned by it. */
export function buildColdSandbox(claim: SandboxClaim, template: SandboxTemplate, podMeta: Required<PodMetadata>): Sandbox {
  const templateName = template.metadata.name!;
  const spec = template.spec;
  const podSpec = applySecureDefaults(spec, injectClaimEnv(spec.podTemplate.spec, claim.spec.env ?? [], spec.envVarsInjectionPolicy, templateName));
  const volumeClaimTemplates = mergeVolumeClaimTemplates(spec.volumeClaimTemplates, claim.spec.volumeClaimTemplates, spec.volumeClaimTemplatesPolicy, templateName);
  const labels: StringMap = { [LABEL.claimUid]: claim.metadata.uid!, [LABEL.launchType]: 'cold', [LABEL.templateRefHash]: nameHash(templateName) };
  const createdBy = claim.metadata.labels?.[LABEL.createdBy];
  if (createdBy !== undefined) labels[LABEL.createdBy] = createdBy;
  // The Pod will carry the Sandbox's name: saying so now saves the Sandbox controller a patch.
  const annotations: StringMap = { [ANNOTATION.templateRef]: templateName, [ANNOTATION.podName]: claim.metadata.name! };
  const trace = claim.metadata.annotations?.[ANNOTATION.traceContext];
  if (trace !== undefined) annotations[ANNOTATION.traceContext] = trace;
  return {
    apiVersion: SANDBOX.apiVersion as Sandbox['apiVersion'],
    kind: 'Sandbox',
    metadata: {
      name: claim.metadata.name, namespace: claim.metadata.namespace, labels, annotations,
      ownerReferences: [claimOwnerReference(claim)],
    },
    spec: {
      podTemplate: { metadata: podMeta, spec: podSpec },
      ...(volumeClaimTemplates && { volumeClaimTemplates }),
      ...(spec.service !== undefined && { service: spec.service }),
      ...claimedLifecycle(claim, template),
    },
  };
}
