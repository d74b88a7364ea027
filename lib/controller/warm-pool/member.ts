// A warm-pool member as the pool creates it: the template's blueprint with secure defaults, the pool/template labels
// the claim controller and NetworkPolicy rely on, and a controller reference to the pool. Also the pure predicates
// the pool uses to classify members (ownership, index key).
import {
  ANNOTATION, LABEL, SANDBOX, SANDBOX_WARM_POOL, nameHash,
  type Sandbox, type SandboxTemplate, type SandboxWarmPool,
} from '../../api';
import { blueprintHash, podTemplateHash } from '../shared/blueprint';
import { poolOwner } from '../shared/extension-owners';
import { controllerIsKind, controllerRefOf, controllerRefTo } from '../shared/ownership';
import { applySecureDefaults } from '../shared/template-pod-defaults';

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

/** Lower-case consonants and digits, the alphabet the API server uses for generateName suffixes. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** Like generateName: the prefix is cut so that prefix + 5 random characters fit a 63-character DNS label. */
const MAX_NAME_PREFIX = 58;

/** A fresh member name `<pool>-xxxxx`, chosen here rather than by generateName so the create can carry it. */
export function memberName(poolName: string, random: () => number = Math.random): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[Math.floor(random() * NAME_ALPHABET.length)];
  return `${poolName}-`.slice(0, MAX_NAME_PREFIX) + suffix;
}

/**
 * The Sandbox `name` to create for `pool` from `template`. The pod template is the template's own (the pool's hashes
 * live on the Sandbox labels only, and evictability is a Sandbox annotation the Pod gets while the pool controls it),
 * so a claim adopting the member changes only Sandbox metadata: no new generation, no extra status write. The
 * pod-name annotation is known up front, which saves the Sandbox controller a patch.
 */
export function buildMember(pool: SandboxWarmPool, template: SandboxTemplate, markSafeToEvict: boolean, name: string): Sandbox {
  const templateName = template.metadata.name!;
  const spec = template.spec;
  const annotations: Record<string, string> = { [ANNOTATION.templateRef]: templateName, [ANNOTATION.podName]: name };
  if (markSafeToEvict && spec.podTemplate.metadata?.annotations?.[ANNOTATION.safeToEvict] === undefined) annotations[ANNOTATION.safeToEvict] = 'true';
  return {
    apiVersion: SANDBOX.apiVersion as Sandbox['apiVersion'], kind: 'Sandbox',
    metadata: {
      name,
      namespace: pool.metadata.namespace,
      labels: {
        [LABEL.warmPoolSandbox]: nameHash(pool.metadata.name!),
        [LABEL.templateRefHash]: nameHash(templateName),
        [LABEL.podTemplateHash]: podTemplateHash(spec),
        [LABEL.templateHash]: blueprintHash(spec),
        [LABEL.launchType]: 'warm',
        [LABEL.createdBy]: 'controller',
      },
      annotations,
      ownerReferences: [controllerRefTo(poolOwner(pool))],
    },
    spec: {
      podTemplate: {
        ...(spec.podTemplate.metadata && { metadata: structuredClone(spec.podTemplate.metadata) }),
        spec: applySecureDefaults(spec, spec.podTemplate.spec),
      },
      ...(spec.volumeClaimTemplates ? { volumeClaimTemplates: structuredClone(spec.volumeClaimTemplates) } : {}),
      ...(spec.service !== undefined ? { service: spec.service } : {}),
    },
  };
}
