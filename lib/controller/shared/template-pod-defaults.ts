// Secure pod defaults for template-derived Sandboxes (warm-pool members and cold claims; never direct Sandboxes):
// no service-account token, and public DNS instead of cluster DNS when the template's default NetworkPolicy (which
// blocks cluster DNS on purpose) is in force. Pure: the claim controller and staleness checks call it too.
import type { PodSpec, SandboxTemplateSpec } from '../../api';

/** Public resolvers used when the default NetworkPolicy blocks cluster DNS. */
export const PUBLIC_NAMESERVERS: readonly string[] = ['8.8.8.8', '1.1.1.1'];

/** True when the template gets the secure-default NetworkPolicy (Managed, no user rules). */
export function usesDefaultNetworkPolicy(template: Pick<SandboxTemplateSpec, 'networkPolicy' | 'networkPolicyManagement'>): boolean {
  const management = template.networkPolicyManagement ?? 'Managed';
  return management === 'Managed' && template.networkPolicy == null;
}

/**
 * Returns a copy of `podSpec` with the secure defaults of `template` (a SandboxTemplate spec) applied:
 * `automountServiceAccountToken` unset → false; with the default NetworkPolicy and no `dnsPolicy` →
 * `dnsPolicy: None` with public nameservers. Fields the template set explicitly are never overridden.
 */
export function applySecureDefaults(template: Pick<SandboxTemplateSpec, 'networkPolicy' | 'networkPolicyManagement'>, podSpec: PodSpec): PodSpec {
  const spec = structuredClone(podSpec);
  spec.automountServiceAccountToken ??= false;
  if (usesDefaultNetworkPolicy(template) && !spec.dnsPolicy) {
    spec.dnsPolicy = 'None';
    spec.dnsConfig = { ...spec.dnsConfig, nameservers: [...PUBLIC_NAMESERVERS] };
  }
  return spec;
}
