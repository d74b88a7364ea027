// Merge of a claim's volumeClaimTemplates into the template's, under volumeClaimTemplatesPolicy
// (Disallowed: reject; Allowed: append new names only; Overrides: replace same-name entries, append the rest).
import type { PersistentVolumeClaimTemplate, VolumeClaimTemplatesPolicy } from '../../api/types';
import { failures } from './failure';

function checkNames(list: readonly PersistentVolumeClaimTemplate[], field: string): void {
  const seen = new Set<string>();
  for (const [i, vct] of list.entries()) {
    const name = vct.metadata?.name;
    if (!name) throw failures.volumeClaimTemplates(`${field}[${i}].metadata.name: required`);
    if (seen.has(name)) throw failures.volumeClaimTemplates(`${field}[${i}].metadata.name: duplicate name "${name}"`);
    seen.add(name);
  }
}

/** The volumeClaimTemplates of a cold-started sandbox; throws VolumeClaimTemplatesError. */
export function mergeVolumeClaimTemplates(
  fromTemplate: readonly PersistentVolumeClaimTemplate[] | undefined,
  fromClaim: readonly PersistentVolumeClaimTemplate[] | undefined,
  policy: VolumeClaimTemplatesPolicy | undefined,
  template: string,
): PersistentVolumeClaimTemplate[] | undefined {
  const base = fromTemplate ?? [];
  const extra = fromClaim ?? [];
  if (extra.length === 0) return fromTemplate ? [...fromTemplate] : undefined;
  checkNames(base, `SandboxTemplate "${template}" spec.volumeClaimTemplates`);
  checkNames(extra, 'spec.volumeClaimTemplates');
  const effective = policy ?? 'Disallowed';
  if (effective === 'Disallowed') {
    throw failures.volumeClaimTemplates(`spec.volumeClaimTemplates: SandboxTemplate "${template}" has volumeClaimTemplatesPolicy Disallowed`);
  }
  const baseNames = new Set(base.map((v) => v.metadata!.name!));
  if (effective === 'Allowed') {
    const clash = extra.find((v) => baseNames.has(v.metadata!.name!));
    if (clash) {
      throw failures.volumeClaimTemplates(`spec.volumeClaimTemplates: "${clash.metadata!.name}" is defined by SandboxTemplate "${template}" and policy Allowed forbids overriding it`);
    }
    return [...base, ...extra];
  }
  const byName = new Map(extra.map((v) => [v.metadata!.name!, v]));
  return [...base.map((v) => byName.get(v.metadata!.name!) ?? v), ...extra.filter((v) => !baseNames.has(v.metadata!.name!))];
}
