// TemplateReconciler over in-memory caches and an in-memory API server that enforces name uniqueness: the first
// passes over a new template must not re-create its NetworkPolicy while the cache has not yet shown the create.
import type { SandboxTemplate } from '../../../../lib/api';
import { Store } from '../../../../lib/kube/store';
import { ApiError, type KubeObject } from '../../../../lib/kube';
import { TemplateReconciler, type CachedNetworkPolicy } from '../../../../lib/controller/template/reconciler';
import { networkPolicyName } from '../../../../lib/controller/template/network-policy';

function setup() {
  const templates = new Store<SandboxTemplate>();
  const cache = new Store<CachedNetworkPolicy>();
  const server = new Map<string, KubeObject>();
  const writes: string[] = [];
  const client = {
    async getOrUndefined(_resource: unknown, ns: string, name: string) { return server.get(`${ns}/${name}`) as any; },
    async create(resource: { plural: string }, obj: any) {
      writes.push(`create ${resource.plural}`);
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      if (server.has(key)) throw new ApiError(409, { reason: 'AlreadyExists' }, `POST ${resource.plural}`);
      const stored = { ...obj, metadata: { ...obj.metadata, uid: 'np-uid', resourceVersion: '1' } };
      server.set(key, stored);
      return stored;
    },
    async update(resource: { plural: string }, obj: any) {
      writes.push(`update ${resource.plural}`);
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      if (server.get(key)?.metadata?.resourceVersion !== obj.metadata.resourceVersion) throw new ApiError(409, { reason: 'Conflict' }, `PUT ${resource.plural}`);
      return obj;
    },
    async mergePatch(resource: { plural: string }, ns: string, name: string, patch: any) {
      writes.push(`patch ${resource.plural}`);
      const t = templates.get(ns, name)!;
      templates.upsert({ ...t, metadata: { ...t.metadata, labels: { ...t.metadata.labels, ...patch.metadata.labels } } });
      return {} as any;
    },
    async delete(resource: { plural: string }) { writes.push(`delete ${resource.plural}`); },
  };
  templates.upsert({
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate',
    metadata: { name: 'web', namespace: 'ns', uid: 't-uid' },
    spec: { podTemplate: { spec: { containers: [{ name: 'c', image: 'i' }] } } },
  });
  const reconciler = new TemplateReconciler({ client, templates, networkPolicies: cache, events: { warning: () => undefined, normal: () => undefined } });
  return { reconciler, cache, server, writes };
}

test('a pass re-queued before the cache shows the created NetworkPolicy does not create it again', async () => {
  const { reconciler, cache, server, writes } = setup();
  await reconciler.reconcile('ns/web'); // labels the template (which re-queues it) and creates the policy
  await reconciler.reconcile('ns/web'); // the re-queued pass: the policy is not in the cache yet
  expect(writes).toEqual(['patch sandboxtemplates', 'create networkpolicies']);
  cache.upsert(server.get(`ns/${networkPolicyName('web')}`) as CachedNetworkPolicy);
  await reconciler.reconcile('ns/web');
  expect(writes).toHaveLength(2);
});

test('drift repair that loses a race with another writer (409) is not a failed pass', async () => {
  const { reconciler, cache, server, writes } = setup();
  await reconciler.reconcile('ns/web');
  const key = `ns/${networkPolicyName('web')}`;
  const created = server.get(key) as CachedNetworkPolicy;
  // The cache shows a drifted copy while the server already holds a newer version.
  cache.upsert({ ...created, spec: { ...created.spec!, ingress: [] } });
  server.set(key, { ...created, metadata: { ...created.metadata, resourceVersion: '2' } });
  await reconciler.reconcile('ns/web'); // throws if the conflict is treated as a failure
  expect(writes).toContain('update networkpolicies');
});
