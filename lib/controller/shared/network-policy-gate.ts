// The fail-closed rule for template-derived sandboxes: no Sandbox (and so no pod) is built from a template whose
// managed NetworkPolicy is not in place. The template controller says so on the template's Ready condition; pools and
// claims read it here. The reason must match the template's current mode, so a template just switched from Unmanaged
// to Managed waits for its policy instead of riding on the old Ready=True.
import { CONDITION, TEMPLATE_REASON } from '../../api/conditions';
import type { SandboxTemplate } from '../../api/types';
import { findCondition } from './condition-list';

export type NetworkPolicyGate = { open: true } | { open: false; message: string };

export function networkPolicyGate(template: SandboxTemplate): NetworkPolicyGate {
  const managed = (template.spec.networkPolicyManagement ?? 'Managed') === 'Managed';
  const ready = findCondition(template.status?.conditions, CONDITION.ready);
  const expected = managed ? TEMPLATE_REASON.networkPolicyReady : TEMPLATE_REASON.networkPolicyUnmanaged;
  if (ready?.status === 'True' && ready.reason === expected) return { open: true };
  const name = template.metadata.name;
  if (ready?.status === 'False') return { open: false, message: `the NetworkPolicy of SandboxTemplate "${name}" is not in place (${ready.reason}: ${ready.message})` };
  return { open: false, message: `waiting for the NetworkPolicy of SandboxTemplate "${name}"` };
}
