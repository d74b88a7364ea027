// The local control plane itself: fake nodes, pods that become Running with loopback IPs, graceful
// pod deletion, namespace deletion, and ServiceAccount kubeconfigs restricted by RBAC.
import { applyServerSide, getObject, kubectl, KubectlError, podCidrEnv, serviceAccountKubeconfig,
  useTestNamespace, waitFor, waitForDeletion } from './harness';

const ns = useTestNamespace('plane');

function inCidr(ip: string, cidr: string): boolean {
  const toInt = (a: string) => a.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(base) / size);
}

test('API server reports ready and the pinned Kubernetes version', async () => {
  expect((await kubectl(['get', '--raw', '/readyz'])).trim()).toBe('ok');
  const version = JSON.parse(await kubectl(['get', '--raw', '/version']));
  expect(version.gitVersion).toMatch(/^v1\.3[4-9]\.\d+$/);
});

// The pods request every resource the kit's own pods request (ephemeral storage included), so the fake
// nodes must offer them all or the pods stay Pending.
test('a Deployment gets Running, Ready pods with loopback pod IPs; deleting it removes them', async () => {
  await applyServerSide([{
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{
        name: 'web', image: 'example.invalid/web:1',
        resources: { requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '256Mi' } },
      }] } },
    },
  }], { namespace: ns.name });
  const pods = await waitFor('2 running pods', async () => {
    const list = JSON.parse(await kubectl(['get', 'pods', '-n', ns.name, '-l', 'app=web', '-o', 'json'])).items;
    const running = list.filter((p: any) => p.status.phase === 'Running'
      && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    return running.length === 2 && running;
  });
  for (const pod of pods) expect(inCidr(pod.status.podIP, process.env[podCidrEnv]!)).toBe(true);

  await kubectl(['delete', 'deployment', 'web', '-n', ns.name, '--wait=false']);
  for (const pod of pods) await waitForDeletion('pod', pod.metadata.name, { namespace: ns.name });
});

test('deleting a namespace removes the objects in it', async () => {
  const doomed = `${ns.name}-doomed`;
  await applyServerSide([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: doomed } }]);
  await applyServerSide([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: doomed }, data: { a: 'b' } }]);
  await kubectl(['delete', 'namespace', doomed, '--wait=false']);
  await waitForDeletion('namespace', doomed, { timeoutMs: 60_000 });
  expect(await getObject('configmap', 'cm', { namespace: doomed })).toBeUndefined();
});

test('a ServiceAccount kubeconfig authenticates as the ServiceAccount and is limited to its RBAC', async () => {
  await applyServerSide([
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'cm-reader' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns.name }] },
  ], { namespace: ns.name });
  const kubeconfig = await serviceAccountKubeconfig(ns.name, 'reader');

  const whoami = JSON.parse(await kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig }));
  expect(whoami.status.userInfo.username).toBe(`system:serviceaccount:${ns.name}:reader`);
  await expect(kubectl(['get', 'configmaps'], { kubeconfig })).resolves.toContain('kube-root-ca.crt');
  const denied = kubectl(['get', 'secrets'], { kubeconfig });
  await expect(denied).rejects.toBeInstanceOf(KubectlError);
  await expect(denied).rejects.toThrow(/forbidden.*system:serviceaccount:.*:reader.*cannot list resource "secrets"/);
});
