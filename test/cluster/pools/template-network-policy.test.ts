// SandboxTemplate controller against the real API server: ref-hash label, the shared NetworkPolicy in each mode
// (Managed default, Managed with user rules, Unmanaged), drift repair without failed passes, and refusal to touch a
// foreign NetworkPolicy.
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
  await waitForPolicySpec('web', (spec) => spec.ingress?.length === 1);
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
