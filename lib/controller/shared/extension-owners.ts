// Owner identities of the extension kinds. Cached objects from a LIST carry no apiVersion/kind, so owner references
// and event subjects are always built from the kind table, never from the object.
import { SANDBOX_TEMPLATE, SANDBOX_WARM_POOL, type KindInfo } from '../../api/groups';
import type { SandboxTemplate, SandboxWarmPool } from '../../api/types';
import type { OwnerIdentity } from './ownership';

function ownerOf(kind: KindInfo, obj: { metadata?: OwnerIdentity['metadata'] }): OwnerIdentity {
  return { apiVersion: kind.apiVersion, kind: kind.kind, metadata: obj.metadata };
}

export const templateOwner = (t: SandboxTemplate): OwnerIdentity => ownerOf(SANDBOX_TEMPLATE, t);
export const poolOwner = (p: SandboxWarmPool): OwnerIdentity => ownerOf(SANDBOX_WARM_POOL, p);
