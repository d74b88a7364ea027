// Installs what the controller needs to run out-of-cluster as its ServiceAccount, taken verbatim from the
// AgentSandboxSystem builder (CRDs, namespace, ServiceAccount, exactly its RBAC) minus the Deployment: the test runs
// the controller as a local process instead. Cluster-scoped RBAC names get a per-install suffix so parallel test
// files never rebind each other's ClusterRoles.
import { buildSystem, type Manifest } from '../../../lib/builders';
import { applyServerSide, kubectl, serviceAccountKubeconfig } from '../harness';

const KEPT_KINDS = new Set(['CustomResourceDefinition', 'Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

export interface ControllerIdentity {
  namespace: string;
  serviceAccount: string;
  /** Kubeconfig authenticating as the controller's ServiceAccount. */
  kubeconfig: string;
  /** Removes the cluster-scoped RBAC objects (the namespace is the caller's). */
  uninstall(): Promise<void>;
}

export function controllerManifests(namespace: string, extensions = false): Manifest[] {
  const suffix = `-${namespace}`;
  return buildSystem({ namespace, flags: { extensions } })
    .filter((m) => KEPT_KINDS.has(m.kind))
    .map((m) => {
      if (m.kind !== 'ClusterRole' && m.kind !== 'ClusterRoleBinding') return m;
      const renamed = structuredClone(m) as Manifest & { roleRef?: { name: string } };
      renamed.metadata.name += suffix;
      if (renamed.roleRef) renamed.roleRef.name += suffix;
      return renamed;
    });
}

export async function installController(namespace: string, extensions = false): Promise<ControllerIdentity> {
  const manifests = controllerManifests(namespace, extensions);
  await applyServerSide(manifests);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s',
    ...manifests.filter((m) => m.kind === 'CustomResourceDefinition').map((m) => `crd/${m.metadata.name}`)]);
  const serviceAccount = manifests.find((m) => m.kind === 'ServiceAccount')!.metadata.name;
  const clusterScoped = manifests.filter((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding');
  return {
    namespace, serviceAccount,
    kubeconfig: await serviceAccountKubeconfig(namespace, serviceAccount),
    uninstall: async () => {
      for (const m of clusterScoped) await kubectl(['delete', m.kind.toLowerCase(), m.metadata.name, '--ignore-not-found']);
    },
  };
}
