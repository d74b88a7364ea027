// Least-privilege RBAC of the controller: exactly the verbs its reconcilers use, split into the core
// rules (Sandbox -> Pod/Service/PVC) and the extension rules (templates, pools, claims). No Secrets; the only
// CRD write is the conversion webhook's caBundle patch, on our four CRDs by name.

import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import { ALL_KINDS, CORE_GROUP, EXTENSIONS_GROUP, SANDBOX, SANDBOX_CLAIM, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL } from '../api';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];
const STATUS = ['get', 'update', 'patch'];
// Owner references with blockOwnerDeletion need `update` on the owner's finalizers subresource when the
// OwnerReferencesPermissionEnforcement admission plugin is on.
const FINALIZERS = ['update'];

/** Cluster-wide rules of the core (Sandbox) controller. */
export const CORE_CONTROLLER_RULES: readonly PolicyRule[] = [
  // `delete`: a Sandbox with shutdownPolicy Delete deletes itself at expiry.
  { apiGroups: [CORE_GROUP], resources: [SANDBOX.plural], verbs: [...READ, 'update', 'patch', 'delete'] },
  { apiGroups: [CORE_GROUP], resources: [`${SANDBOX.plural}/status`], verbs: STATUS },
  { apiGroups: [CORE_GROUP], resources: [`${SANDBOX.plural}/finalizers`], verbs: FINALIZERS },
  { apiGroups: [''], resources: ['pods', 'services'], verbs: [...READ, ...WRITE] },
  // PVCs are created and adopted, never deleted by the controller: they outlive their sandbox through
  // owner-reference garbage collection only, so user data is never removed by our code.
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: [...READ, 'create', 'update', 'patch'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];

const EXTENSION_KINDS = [SANDBOX_TEMPLATE, SANDBOX_WARM_POOL, SANDBOX_CLAIM].map((k) => k.plural);

/** Extra cluster-wide rules when the extension controllers run (`--extensions`). */
export const EXTENSIONS_CONTROLLER_RULES: readonly PolicyRule[] = [
  { apiGroups: [EXTENSIONS_GROUP], resources: EXTENSION_KINDS, verbs: [...READ, 'update', 'patch'] },
  // Claims with shutdownPolicy Delete delete themselves at expiry.
  { apiGroups: [EXTENSIONS_GROUP], resources: [SANDBOX_CLAIM.plural], verbs: ['delete'] },
  { apiGroups: [EXTENSIONS_GROUP], resources: EXTENSION_KINDS.map((r) => `${r}/status`), verbs: STATUS },
  { apiGroups: [EXTENSIONS_GROUP], resources: EXTENSION_KINDS.map((r) => `${r}/finalizers`), verbs: FINALIZERS },
  // Warm pools and cold claims create sandboxes (deleting them is already a core permission).
  { apiGroups: [CORE_GROUP], resources: [SANDBOX.plural], verbs: ['create'] },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: [...READ, ...WRITE] },
];

/** Namespaced rules for the leader-election Lease. */
/** The self-managed conversion webhook keeps its CA in our four CRDs' caBundle (and may touch no other CRD). */
export const CA_BUNDLE_RULES: readonly PolicyRule[] = [{
  apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'patch'],
  resourceNames: ALL_KINDS.map((k) => `${k.plural}.${k.group}`),
}];

export const LEADER_ELECTION_RULES: readonly PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...READ, 'create', 'update', 'patch'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];
