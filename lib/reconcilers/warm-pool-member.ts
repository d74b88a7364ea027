// A warm-pool member as the pool creates it: the template's blueprint with secure defaults, the pool/template labels
// the claim controller and NetworkPolicy rely on, and a controller reference to the pool. Also the pure predicates
// the pool uses to classify members (ownership, index key).
import {
  ANNOTATION, LABEL, SANDBOX, SANDBOX_WARM_POOL, nameHash,
  type Sandbox, type SandboxTemplate, type SandboxWarmPool,
} from '../api';
import { blueprintHash, podTemplateHash } from './blueprint';
import { poolOwner } from './extension-owners';
import { controllerIsKind, controllerRefOf, controllerRefTo } from './ownership';
import { applySecureDefaults } from './secure-defaults';

/** Sandbox cache index: `namespace/NameHash(pool)` of the warm-pool-sandbox label. */
export const WARM_POOL_MEMBER_INDEX = 'warmPoolMember';

export function warmPoolIndexValue(namespace: string, poolName: string): string {
  return `${namespace}/${nameHash(poolName)}`;
}

export function warmPoolMemberIndex(sandbox: Sandbox): string[] {
  const hash = sandbox.metadata.labels?.[LABEL.warmPoolSandbox];
  return hash ? [`${sandbox.metadata.namespace}/${hash}`] : [];
}

/** `namespace/name` of the pool controlling `sandbox`, if a pool does. */
export function owningPoolKey(sandbox: Sandbox): string | undefined {
  if (!controllerIsKind(sandbox.metadata, SANDBOX_WARM_POOL.group, SANDBOX_WARM_POOL.kind)) return undefined;
  return `${sandbox.metadata.namespace}/${controllerRefOf(sandbox.metadata)!.name}`;
}

/** The Sandbox to create (generateName `<pool>-`) for `pool` from `template`. */
export function buildMember(pool: SandboxWarmPool, template: SandboxTemplate, markSafeToEvict: boolean): Sandbox {
  const templateName = template.metadata.name!;
  const spec = template.spec;
  const hashes = {
    [LABEL.warmPoolSandbox]: nameHash(pool.metadata.name!),
    [LABEL.templateRefHash]: nameHash(templateName),
    [LABEL.podTemplateHash]: podTemplateHash(spec),
    [LABEL.templateHash]: blueprintHash(spec),
  };
  const annotations = { ...spec.podTemplate.metadata?.annotations };
  if (markSafeToEvict && annotations[ANNOTATION.safeToEvict] === undefined) annotations[ANNOTATION.safeToEvict] = 'true';
  return {
    apiVersion: SANDBOX.apiVersion as Sandbox['apiVersion'], kind: 'Sandbox',
    metadata: {
      generateName: `${pool.metadata.name}-`,
      namespace: pool.metadata.namespace,
      labels: { ...hashes, [LABEL.launchType]: 'warm', [LABEL.createdBy]: 'controller' },
      annotations: { [ANNOTATION.templateRef]: templateName },
      ownerReferences: [controllerRefTo(poolOwner(pool))],
    },
    spec: {
      podTemplate: {
        metadata: { labels: { ...spec.podTemplate.metadata?.labels, ...hashes }, annotations },
        spec: applySecureDefaults(spec, spec.podTemplate.spec),
      },
      ...(spec.volumeClaimTemplates ? { volumeClaimTemplates: structuredClone(spec.volumeClaimTemplates) } : {}),
      ...(spec.service !== undefined ? { service: spec.service } : {}),
    },
  };
}
