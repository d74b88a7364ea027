// SandboxTemplate controller against the real API server: ref-hash label, the shared NetworkPolicy in each mode
// (Managed default, Managed with user rules, Unmanaged), drift repair without failed passes, refusal to touch a
// foreign NetworkPolicy, and failing closed: a policy the API server refuses (here an admission policy denies it)
// leaves the template Ready=False with the server's message, and its pool and claim build nothing until it exists.
import { readFileSync } from 'node:fs';
import { LABEL, nameHash } from '../../../lib/api';
import { semanticEqual } from '../../../lib/controller/shared/blueprint';
import { desiredNetworkPolicySpec } from '../../../lib/controller/template/network-policy';
import { applyServerSide, getObject, kubectl, useTestNamespace, waitFor, installControllerIdentity, startController, type ControllerProcess } from '../harness';

const ns = useTestNamespace('tpl');
let controller: ControllerProcess;

beforeAll(async () => {
  controller = await startController({ kubeconfig: await installControllerIdentity() });
}, 120_000);
afterAll(async () => { await controller?.stop(); });

const template = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate', metadata: { name },
  spec: { podTemplate: { spec: { containers: [{ name: 'c', image: 'example.invalid/agent:1' }] } }, ...spec },
});

const policy = (name: string) => getObject<any>('networkpolicy', `${name}-network-policy`, { namespace: ns.name });

async function waitForPolicySpec(name: string, predicate: (spec: any) => boolean): Promise<any> {
  return waitFor(`NetworkPolicy ${name}-network-policy`, async () => {
    const np = await policy(name);
    return np && predicate(np.spec) ? np : undefined;
  });
}

/** Failed reconciles of template `name` in the controller log. */
const failedPasses = (name: string) => readFileSync(controller.logFile, 'utf8').split('\n')
  .filter((line) => line.includes('"reconcile failed"') && line.includes(`"key":"${ns.name}/${name}"`));

test('Managed default: secure-default policy owned by the template, template labelled, drift repaired, no failed pass', async () => {
  await applyServerSide([template('web')], { namespace: ns.name });
  const np = await waitForPolicySpec('web', () => true);
  expect(np.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'SandboxTemplate', name: 'web', controller: true })]);
  expect(np.spec.podSelector).toEqual({ matchLabels: { [LABEL.templateRefHash]: nameHash('web') } });
  expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  expect(np.spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'agent-sandbox-system' });
  expect(np.spec.egress[0].to.map((p: any) => p.ipBlock.cidr)).toEqual(['0.0.0.0/0', '::/0']);
  const tpl = await getObject<any>('sandboxtemplate', 'web', { namespace: ns.name });
  expect(tpl.metadata.labels[LABEL.templateRefHash]).toBe(nameHash('web'));

  await kubectl(['patch', 'networkpolicy', 'web-network-policy', '-n', ns.name, '--type=merge', '-p', JSON.stringify({ spec: { ingress: [] } })]);
  await waitForPolicySpec('web', (spec) => semanticEqual(spec, desiredNetworkPolicySpec(tpl)));
  expect(failedPasses('web')).toEqual([]); // e.g. a re-queued pass re-creating the policy before the cache shows it
});

test('Managed with user rules, then Unmanaged deletes our policy', async () => {
  const egress = [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] }];
  await applyServerSide([template('rules', { networkPolicy: { egress } })], { namespace: ns.name });
  const np = await waitForPolicySpec('rules', (spec) => spec.egress?.[0]?.to?.[0]?.ipBlock?.cidr === '203.0.113.0/24');
  expect(np.spec.ingress ?? []).toEqual([]);
  expect(np.spec.podSelector.matchLabels[LABEL.templateRefHash]).toBe(nameHash('rules'));

  await applyServerSide([template('rules', { networkPolicy: { egress }, networkPolicyManagement: 'Unmanaged' })], { namespace: ns.name });
  await waitFor('NetworkPolicy rules-network-policy deleted', async () => (await policy('rules')) === undefined);
});

test('a same-named NetworkPolicy the template does not control is left alone and reported', async () => {
  const foreign = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'taken-network-policy' },
    spec: { podSelector: { matchLabels: { mine: 'true-owner' } }, policyTypes: ['Ingress'] } };
  await applyServerSide([foreign], { namespace: ns.name });
  await applyServerSide([template('taken')], { namespace: ns.name });
  const event = await waitFor('NetworkPolicyConflict event', async () => {
    const events = JSON.parse(await kubectl(['get', 'events', '-n', ns.name, '-o', 'json', '--field-selector', 'involvedObject.name=taken'])).items;
    return events.find((e: any) => e.reason === 'NetworkPolicyConflict');
  });
  expect(event.message).toContain(`refusing to update NetworkPolicy ${ns.name}/taken-network-policy`);
  const np = await policy('taken');
  expect(np.spec.podSelector).toEqual({ matchLabels: { mine: 'true-owner' } });
  expect(np.metadata.ownerReferences).toBeUndefined();
  // Unmanaged must not delete it either.
  await applyServerSide([template('taken', { networkPolicyManagement: 'Unmanaged' })], { namespace: ns.name });
  await new Promise((r) => setTimeout(r, 1000));
  expect(await policy('taken')).toBeDefined();
});

test('the desired spec the cluster stores round-trips without spurious drift', async () => {
  const np = await waitForPolicySpec('web', () => true);
  const tpl = await getObject<any>('sandboxtemplate', 'web', { namespace: ns.name });
  expect(semanticEqual(np.spec, desiredNetworkPolicySpec(tpl))).toBe(true);
  const rv = np.metadata.resourceVersion;
  await new Promise((r) => setTimeout(r, 1500));
  expect((await policy('web')).metadata.resourceVersion).toBe(rv);
});

const readyOf = (obj: any) => obj?.status?.conditions?.find((c: any) => c.type === 'Ready');
const get = (kind: string, name: string) => getObject<any>(kind, name, { namespace: ns.name });

test('a NetworkPolicy the API server refuses fails closed: the template says why, its pool and claim build nothing until the policy exists', async () => {
  // An admission policy that denies this one NetworkPolicy, as a cluster's own guardrail might.
  const denyName = `deny-np-${ns.name}`;
  const deny = {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: denyName },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['networkpolicies'] }] },
      validations: [{ expression: "object.metadata.name != 'blocked-network-policy'", message: 'network policies are frozen here' }],
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: denyName },
    spec: { policyName: denyName, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns.name } } } },
  };
  const probe = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'blocked-network-policy', namespace: ns.name }, spec: { podSelector: {} } };
  await applyServerSide([deny, binding]);
  try {
    // The API server compiles a new policy asynchronously: wait until it denies (a dry run leaves nothing behind).
    await waitFor('the denying admission policy to take effect', async () =>
      kubectl(['create', '--dry-run=server', '-f', '-'], { stdin: JSON.stringify(probe) }).then(() => false, (err) => String(err).includes('frozen here')));

    const claim = { apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim', metadata: { name: 'blocked-claim' }, spec: { warmPoolRef: { name: 'blocked-pool' } } };
    const pool = { apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool', metadata: { name: 'blocked-pool' }, spec: { replicas: 2, sandboxTemplateRef: { name: 'blocked' } } };
    await applyServerSide([template('blocked'), pool, claim], { namespace: ns.name });

    const refused = await waitFor('template Ready=False', async () => {
      const ready = readyOf(await get('sandboxtemplate', 'blocked'));
      return ready?.status === 'False' ? ready : undefined;
    });
    expect(refused.reason).toBe('NetworkPolicyFailed');
    expect(refused.message).toContain(`NetworkPolicy ${ns.name}/blocked-network-policy could not be written`);
    expect(refused.message).toContain(`ValidatingAdmissionPolicy '${denyName}'`);
    expect(refused.message).toContain('network policies are frozen here');
    const event = await waitFor('NetworkPolicyFailed event', async () => {
      const events = JSON.parse(await kubectl(['get', 'events', '-n', ns.name, '-o', 'json', '--field-selector', 'involvedObject.name=blocked,reason=NetworkPolicyFailed'])).items;
      return events[0];
    });
    expect(event.type).toBe('Warning');
    expect(event.message).toBe(refused.message);

    // Before the template's failure is recorded the pool only says it is waiting; then it names the refusal.
    const poolProblem = await waitFor('pool ReplicaFailure naming the refusal', async () => {
      const failure = (await get('sandboxwarmpool', 'blocked-pool'))?.status?.conditions?.find((c: any) => c.type === 'ReplicaFailure');
      return failure?.message?.includes('is not in place') ? failure : undefined;
    });
    expect(poolProblem).toMatchObject({ status: 'True', reason: 'NetworkPolicyNotReady' });
    expect(poolProblem.message).toContain('network policies are frozen here');
    const claimReady = await waitFor('claim NetworkPolicyNotReady', async () => {
      const ready = readyOf(await get('sandboxclaim', 'blocked-claim'));
      return ready?.reason === 'NetworkPolicyNotReady' ? ready : undefined;
    });
    expect(claimReady.status).toBe('False');
    expect(claimReady.message).toContain('SandboxTemplate "blocked"');
    const builtFrom = ['-n', ns.name, '-l', `${LABEL.templateRefHash}=${nameHash('blocked')}`, '-o', 'json'];
    expect(JSON.parse(await kubectl(['get', 'sandboxes', ...builtFrom])).items).toEqual([]);
    expect(JSON.parse(await kubectl(['get', 'pods', ...builtFrom])).items).toEqual([]);
    expect(await policy('blocked')).toBeUndefined();

    // The cluster admits the policy again: the controller's retry creates it, and only then do sandboxes appear.
    await kubectl(['delete', 'validatingadmissionpolicybinding', denyName]);
    const np = await waitForPolicySpec('blocked', () => true);
    await waitFor('template Ready=True', async () => readyOf(await get('sandboxtemplate', 'blocked'))?.status === 'True', { timeoutMs: 60_000 });
    const bound = await waitFor('claim Ready', async () => {
      const c = await get('sandboxclaim', 'blocked-claim');
      return readyOf(c)?.status === 'True' ? c : undefined;
    });
    const sandboxes = JSON.parse(await kubectl(['get', 'sandboxes', ...builtFrom])).items;
    expect(sandboxes.map((s: any) => s.metadata.name)).toContain(bound.status.sandbox.name);
    const policyCreated = Date.parse(np.metadata.creationTimestamp);
    for (const s of sandboxes) expect(Date.parse(s.metadata.creationTimestamp)).toBeGreaterThanOrEqual(policyCreated);
    await waitFor('pool ReplicaFailure cleared', async () =>
      !(await get('sandboxwarmpool', 'blocked-pool'))?.status?.conditions?.some((c: any) => c.type === 'ReplicaFailure'));
  } finally {
    await kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', denyName, '--ignore-not-found']);
  }
}, 120_000);
