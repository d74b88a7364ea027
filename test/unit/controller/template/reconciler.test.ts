// TemplateReconciler over in-memory caches and an in-memory API server that enforces name uniqueness: the first
// passes over a new template must not re-create its NetworkPolicy while the cache has not yet shown the create.
import type { SandboxTemplate, SandboxTemplateStatus } from '../../../../lib/api';
import { Store } from '../../../../lib/kube/store';
import { ApiError, type KubeObject } from '../../../../lib/kube';
import { TemplateReconciler, type CachedNetworkPolicy } from '../../../../lib/controller/template/reconciler';
import { networkPolicyName } from '../../../../lib/controller/template/network-policy';
import { networkPolicyGate } from '../../../../lib/controller/shared/network-policy-gate';

function setup() {
  const templates = new Store<SandboxTemplate>();
  const cache = new Store<CachedNetworkPolicy>();
  const server = new Map<string, KubeObject>();
  const writes: string[] = [];
  /** Status patches of the template, apart from the writes the tests below count. */
  const statusWrites: SandboxTemplateStatus[] = [];
  const events: { type: string; reason: string; message: string }[] = [];
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
    async mergePatch(resource: { plural: string }, ns: string, name: string, patch: any, opts: { subresource?: string } = {}) {
      const t = templates.get(ns, name)!;
      if (opts.subresource === 'status') {
        statusWrites.push(patch.status);
        return { ...t, status: patch.status } as any;
      }
      writes.push(`patch ${resource.plural}`);
      const labelled = { ...t, metadata: { ...t.metadata, labels: { ...t.metadata.labels, ...patch.metadata.labels } } };
      templates.upsert(labelled);
      return labelled as any;
    },
    async delete(resource: { plural: string }) { writes.push(`delete ${resource.plural}`); },
  };
  templates.upsert({
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate',
    metadata: { name: 'web', namespace: 'ns', uid: 't-uid' },
    spec: { podTemplate: { spec: { containers: [{ name: 'c', image: 'i' }] } } },
  });
  const reconciler = new TemplateReconciler({
    client, templates, networkPolicies: cache,
    events: { warning: (_o, reason, message) => events.push({ type: 'Warning', reason, message }), normal: () => undefined },
  });
  const ready = () => statusWrites.at(-1)?.conditions?.find((c) => c.type === 'Ready');
  return { reconciler, cache, server, writes, statusWrites, events, templates, client, ready };
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

test('the template is Ready once its NetworkPolicy is created, and pools and claims may then build from it', async () => {
  const { reconciler, ready, templates } = setup();
  expect(networkPolicyGate(templates.get('ns', 'web')!).open).toBe(false);
  await reconciler.reconcile('ns/web');
  expect(ready()).toMatchObject({ status: 'True', reason: 'NetworkPolicyReady', message: `NetworkPolicy ns/${networkPolicyName('web')} is in place` });
  templates.upsert({ ...templates.get('ns', 'web')!, status: { conditions: [ready()!] } });
  expect(networkPolicyGate(templates.get('ns', 'web')!)).toEqual({ open: true });
});

test('a NetworkPolicy the API server refuses makes the template Ready=False with its message, one event, and a retried pass', async () => {
  const { reconciler, client, ready, events, statusWrites, templates } = setup();
  client.create = async () => { throw new ApiError(403, { reason: 'Forbidden', message: 'networkpolicies "web-network-policy" is forbidden: denied by deny-np' }, 'POST networkpolicies'); };
  await expect(reconciler.reconcile('ns/web')).rejects.toThrow('denied by deny-np');
  expect(ready()).toMatchObject({ status: 'False', reason: 'NetworkPolicyFailed' });
  expect(ready()!.message).toContain(`NetworkPolicy ns/${networkPolicyName('web')} could not be written`);
  expect(ready()!.message).toContain('denied by deny-np');
  expect(events).toEqual([{ type: 'Warning', reason: 'NetworkPolicyFailed', message: ready()!.message }]);
  templates.upsert({ ...templates.get('ns', 'web')!, status: statusWrites.at(-1) });
  const gate = networkPolicyGate(templates.get('ns', 'web')!);
  expect(gate.open).toBe(false);
  expect(!gate.open && gate.message).toContain('denied by deny-np');

  await expect(reconciler.reconcile('ns/web')).rejects.toThrow('denied by deny-np'); // the same failure again
  expect(events).toHaveLength(1);
  expect(statusWrites).toHaveLength(1);
});

test('an Unmanaged template is Ready without a policy; switching it to Managed closes the gate until the policy exists', async () => {
  const { reconciler, ready, templates } = setup();
  const t = templates.get('ns', 'web')!;
  templates.upsert({ ...t, spec: { ...t.spec, networkPolicyManagement: 'Unmanaged' } });
  await reconciler.reconcile('ns/web');
  expect(ready()).toMatchObject({ status: 'True', reason: 'NetworkPolicyUnmanaged' });
  const unmanaged = { ...templates.get('ns', 'web')!, status: { conditions: [ready()!] } };
  expect(networkPolicyGate(unmanaged).open).toBe(true);
  expect(networkPolicyGate({ ...unmanaged, spec: { ...unmanaged.spec, networkPolicyManagement: 'Managed' } }).open).toBe(false);
});
