// Blueprint identity of template-derived Sandboxes: the hashes written into the sandbox-template-hash and
// sandbox-pod-template-hash labels, and the semantic "is this Sandbox still what its template describes" check used
// by the warm pool (staleness) and the claim controller (rejecting stale warm candidates).
//
// Hashes are NameHash over a canonical JSON (sorted keys, empty values dropped like Go's omitempty). They are stable
// for this controller but not byte-identical to the Go controller's encoding/json output, so labels written by the Go
// controller are always treated as "unknown hash" and fall back to the semantic compare (never wrongly "fresh").
import { nameHash, type PersistentVolumeClaimTemplate, type Sandbox, type SandboxBlueprint, type SandboxTemplateSpec } from '../../api';
import { LABEL } from '../../api';
import { applySecureDefaults } from './template-pod-defaults';

/** JSON with object keys sorted and null/undefined/empty arrays/empty objects removed, recursively. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(prune(value) ?? null);
}

function prune(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => prune(v) ?? null);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = prune((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value;
}

/** Deep equality that treats missing, null and empty arrays/maps alike (Kubernetes semantic DeepEqual). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function blueprintOf(spec: SandboxBlueprint): SandboxBlueprint {
  return { podTemplate: spec.podTemplate, volumeClaimTemplates: spec.volumeClaimTemplates, service: spec.service };
}

/** Value of the `sandbox-template-hash` label: hash of the template's blueprint (podTemplate, VCTs, service). */
export function blueprintHash(templateSpec: SandboxBlueprint): string {
  return nameHash(canonicalJson(blueprintOf(templateSpec)));
}

/** Value of the deprecated `sandbox-pod-template-hash` label: hash of the template's podTemplate. */
export function podTemplateHash(templateSpec: SandboxBlueprint): string {
  return nameHash(canonicalJson(templateSpec.podTemplate));
}

function sameVolumeClaimTemplates(a: PersistentVolumeClaimTemplate[] = [], b: PersistentVolumeClaimTemplate[] = []): boolean {
  return a.length === b.length && a.every((t, i) => t.metadata?.name === b[i].metadata?.name && semanticEqual(t.spec, b[i].spec));
}

/**
 * True when `sandbox.spec` matches what `templateSpec` would produce today: the secure-defaulted pod spec, the VCTs
 * (by name and spec, in order) and the service flag. Pod template labels/annotations are deliberately ignored:
 * metadata edits reach Pods in place and must never make members stale.
 */
export function blueprintMatches(templateSpec: SandboxTemplateSpec, sandbox: Pick<Sandbox, 'spec'>): boolean {
  const spec = sandbox.spec;
  return semanticEqual(applySecureDefaults(templateSpec, templateSpec.podTemplate.spec), spec.podTemplate?.spec)
    && sameVolumeClaimTemplates(templateSpec.volumeClaimTemplates, spec.volumeClaimTemplates)
    && (templateSpec.service ?? null) === (spec.service ?? null);
}

/**
 * Staleness of a template-derived Sandbox against template `templateName`: a different template-ref-hash label is
 * stale; a matching `sandbox-template-hash` label is fresh; anything else (older label, no label, Go-written hash)
 * is decided by the semantic compare. `currentHash` may be passed in to avoid rehashing per member.
 */
export function isStale(templateName: string, templateSpec: SandboxTemplateSpec, sandbox: Pick<Sandbox, 'metadata' | 'spec'>, currentHash = blueprintHash(templateSpec)): boolean {
  const labels = sandbox.metadata.labels ?? {};
  if (labels[LABEL.templateRefHash] !== nameHash(templateName)) return true;
  if (labels[LABEL.templateHash] === currentHash) return false;
  return !blueprintMatches(templateSpec, sandbox);
}
