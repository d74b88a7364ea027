// Expectations for claim bindings: adoptions and creates this process issued but the Sandbox cache has not shown
// yet, plus writes whose outcome is unknown. Consulted before every adopt/create so a lagging cache can never make
// a claim bind a second sandbox.
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

export class ClaimBindings {
  /** claim UID -> the Sandbox as returned by our successful adopt/create write. */
  private readonly issued = new Map<string, Sandbox>();
  /** claim UID -> `namespace/name` of a Sandbox whose adopt/create may or may not have happened. */
  private readonly unknown = new Map<string, { namespace: string; name: string }>();

  recordIssued(claimUid: string, sandbox: Sandbox): void {
    this.unknown.delete(claimUid);
    this.issued.set(claimUid, sandbox);
  }

  recordUnknown(claimUid: string, namespace: string, name: string): void {
    this.unknown.set(claimUid, { namespace, name });
  }

  issuedFor(claimUid: string): Sandbox | undefined {
    return this.issued.get(claimUid);
  }

  unknownFor(claimUid: string): { namespace: string; name: string } | undefined {
    return this.unknown.get(claimUid);
  }

  clearUnknown(claimUid: string): void {
    this.unknown.delete(claimUid);
  }

  /** Sandbox cache event: the cache now knows (or no longer has) the binding, so the record is not needed. */
  observe(sandbox: Sandbox): void {
    const uid = controllingClaimUid(sandbox);
    if (uid && this.issued.get(uid)?.metadata.name === sandbox.metadata.name) this.issued.delete(uid);
  }

  forget(claimUid: string): void {
    this.issued.delete(claimUid);
    this.unknown.delete(claimUid);
  }

  pending(): number {
    return this.issued.size + this.unknown.size;
  }
}
