// Claim bindings as the Sandbox cache shows them: which claim controls a Sandbox, and the cache index by that claim's
// UID. What the cache does not show yet (our own adoptions and creates, writes whose outcome is unknown) is in the
// claim expectations (controller-runtime), keyed by the same UID.
import { SANDBOX_CLAIM } from '../../api/groups';
import type { Sandbox } from '../../api/types';
import { controllerIsKind, controllerRefOf } from '../shared/ownership';

/** Index on the Sandbox cache: UID of the controlling SandboxClaim. */
export const SANDBOX_BY_CLAIM_INDEX = 'claim:controller-uid';

export function controllingClaimUid(sandbox: Sandbox): string | undefined {
  return controllerIsKind(sandbox.metadata, SANDBOX_CLAIM.group, SANDBOX_CLAIM.kind) ? controllerRefOf(sandbox.metadata)!.uid : undefined;
}

export function sandboxClaimIndex(sandbox: Sandbox): string[] {
  const uid = controllingClaimUid(sandbox);
  return uid ? [uid] : [];
}
