// Who an RBAC grant names: groups, users and service accounts, as props take them and as RoleBindings list them.
import type { Subject } from 'kubernetes-types/rbac/v1';

/** Who the team's agents are: they may create and delete claims, read sandboxes and reach them through the router. */
export interface TeamAgents {
  /** Groups (e.g. from your identity provider). @default - none */
  readonly groups?: readonly string[];
  /** Service accounts, `name` or `namespace/name` (bare names are in the grant's own namespace). @default - none */
  readonly serviceAccounts?: readonly string[];
  /** Individual users. @default - none */
  readonly users?: readonly string[];
}

export const namesSomeone = ({ groups = [], serviceAccounts = [], users = [] }: TeamAgents): boolean => groups.length + serviceAccounts.length + users.length > 0;

/** RoleBinding subjects for `who`; bare service account names are in `namespace`. */
export function subjects(who: TeamAgents, namespace: string): Subject[] {
  const { groups = [], serviceAccounts = [], users = [] } = who;
  return [
    ...groups.map((name) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name })),
    ...users.map((name) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name })),
    ...serviceAccounts.map((ref) => {
      const [saNamespace, name] = ref.includes('/') ? ref.split('/', 2) : [namespace, ref];
      return { kind: 'ServiceAccount', name, namespace: saNamespace };
    }),
  ];
}
