// TemplateReconciler against the in-memory API server (which enforces name uniqueness and resourceVersion
// preconditions), with the templates cache fed by its watch and a NetworkPolicy cache the tests make lag: the first
// passes over a new template must not re-create its NetworkPolicy while the cache has not yet shown the create.
import type { SandboxTemplate, SandboxTemplateStatus } from '../../../../lib/api';
import { Store } from '../../../../lib/kube/store';
import { Resources } from '../../../../lib/kube/resources';
import { TemplateReconciler, type CachedNetworkPolicy } from '../../../../lib/controller/template/reconciler';
import { networkPolicyName } from '../../../../lib/controller/template/network-policy';
import { networkPolicyGate } from '../../../../lib/controller/shared/network-policy-gate';
import { FakeApiServer } from '../../../support/fake-api-server';

const running: AbortController[] = [];
afterEach(() => { for (const stop of running.splice(0)) stop.abort(); });

async function setup() {
  const server = new FakeApiServer();
  const stop = new AbortController();
  running.push(stop);
  server.seed<SandboxTemplate>(Resources.sandboxTemplates, {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate',
    metadata: { name: 'web', namespace: 'ns', uid: 't-uid' },
    spec: { podTemplate: { spec: { containers: [{ name: 'c', image: 'i' }] } } },
  });
  const templates = await server.informer<SandboxTemplate>(Resources.sandboxTemplates, {}, stop.signal);
  const cache = new Store<CachedNetworkPolicy>();
  const policyKey = { namespace: 'ns', name: networkPolicyName('web') };
  /** The writes the tests count: everything but the template's status. */
  const writes = () => server.writes.filter((w) => w.subresource !== 'status').map((w) => `${w.verb} ${w.plural}`);
  /** Status patches of the template, apart from the writes the tests above count. */
  const statusWrites = () => server.writes.filter((w) => w.subresource === 'status').map((w) => (w.body as { status: SandboxTemplateStatus }).status);
  const events: { type: string; reason: string; message: string }[] = [];
  const reconciler = new TemplateReconciler({
    client: server, templates, networkPolicies: cache,
    events: { warning: (_o, reason, message) => events.push({ type: 'Warning', reason, message }), normal: () => undefined },
  });
  const ready = () => statusWrites().at(-1)?.conditions?.find((c) => c.type === 'Ready');
  /** Someone changed the template: the server has it and the watch delivers it. */
  const editTemplate = (t: SandboxTemplate) => server.seed(Resources.sandboxTemplates, t);
  const storedPolicy = () => server.peek<CachedNetworkPolicy>(Resources.networkPolicies, policyKey.namespace, policyKey.name)!;
  return { reconciler, cache, server, writes, statusWrites, events, templates, ready, editTemplate, storedPolicy };
}

test('a pass re-queued before the cache shows the created NetworkPolicy does not create it again', async () => {
  const { reconciler, cache, writes, storedPolicy } = await setup();
  await reconciler.reconcile('ns/web'); // labels the template (which re-queues it) and creates the policy
  await reconciler.reconcile('ns/web'); // the re-queued pass: the policy is not in the cache yet
  expect(writes()).toEqual(['patch sandboxtemplates', 'create networkpolicies']);
  cache.upsert(storedPolicy());
  await reconciler.reconcile('ns/web');
  expect(writes()).toHaveLength(2);
});

test('drift repair that loses a race with another writer (409) is not a failed pass', async () => {
  const { reconciler, cache, server, writes, storedPolicy } = await setup();
  await reconciler.reconcile('ns/web');
  const created = storedPolicy();
  // The cache shows a drifted copy while the server already holds a newer version.
  cache.upsert({ ...created, spec: { ...created.spec!, ingress: [] } });
  server.seed(Resources.networkPolicies, created);
  await reconciler.reconcile('ns/web'); // throws if the conflict is treated as a failure
  expect(writes()).toContain('update networkpolicies');
  expect(server.writes.find((w) => w.verb === 'update')?.code).toBe(409);
});

test('the template is Ready once its NetworkPolicy is created, and pools and claims may then build from it', async () => {
  const { reconciler, ready, templates } = await setup();
  expect(networkPolicyGate(templates.get('ns', 'web')!).open).toBe(false);
  await reconciler.reconcile('ns/web');
  expect(ready()).toMatchObject({ status: 'True', reason: 'NetworkPolicyReady', message: `NetworkPolicy ns/${networkPolicyName('web')} is in place` });
  expect(templates.get('ns', 'web')!.status).toEqual({ conditions: [ready()!] }); // the status write, as the watch delivered it
  expect(networkPolicyGate(templates.get('ns', 'web')!)).toEqual({ open: true });
});

test('a NetworkPolicy the API server refuses makes the template Ready=False with its message, one event, and a retried pass', async () => {
  const { reconciler, server, ready, events, statusWrites, templates } = await setup();
  server.failNext('create', 'networkpolicies', 403, { times: 2, message: 'networkpolicies "web-network-policy" is forbidden: denied by deny-np' });
  await expect(reconciler.reconcile('ns/web')).rejects.toThrow('denied by deny-np');
  expect(ready()).toMatchObject({ status: 'False', reason: 'NetworkPolicyFailed' });
  expect(ready()!.message).toContain(`NetworkPolicy ns/${networkPolicyName('web')} could not be written`);
  expect(ready()!.message).toContain('denied by deny-np');
  expect(events).toEqual([{ type: 'Warning', reason: 'NetworkPolicyFailed', message: ready()!.message }]);
  expect(templates.get('ns', 'web')!.status).toEqual(statusWrites().at(-1)); // the status write, as the watch delivered it
  const gate = networkPolicyGate(templates.get('ns', 'web')!);
  expect(gate.open).toBe(false);
  expect(!gate.open && gate.message).toContain('denied by deny-np');

  await expect(reconciler.reconcile('ns/web')).rejects.toThrow('denied by deny-np'); // the same failure again
  expect(events).toHaveLength(1);
  expect(statusWrites()).toHaveLength(1);
});

test('an Unmanaged template is Ready without a policy; switching it to Managed closes the gate until the policy exists', async () => {
  const { reconciler, ready, templates, editTemplate } = await setup();
  const t = templates.get('ns', 'web')!;
  editTemplate({ ...t, spec: { ...t.spec, networkPolicyManagement: 'Unmanaged' } });
  await reconciler.reconcile('ns/web');
  expect(ready()).toMatchObject({ status: 'True', reason: 'NetworkPolicyUnmanaged' });
  const unmanaged = { ...templates.get('ns', 'web')!, status: { conditions: [ready()!] } };
  expect(networkPolicyGate(unmanaged).open).toBe(true);
  expect(networkPolicyGate({ ...unmanaged, spec: { ...unmanaged.spec, networkPolicyManagement: 'Managed' } }).open).toBe(false);
});
