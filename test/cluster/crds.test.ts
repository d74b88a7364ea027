// Our CRDs in a real API server: they become Established, schema defaults apply, and the OpenAPI
// schema and CEL rules reject bad objects with errors that name the field.
import { allCrds, SANDBOX } from '../../lib/api';
import { applyServerSide, getObject, installCrds, kubectl, useTestNamespace, waitForCondition } from './harness';

const ns = useTestNamespace('crds');

beforeAll(installCrds);

function sandbox(name: string, spec: Record<string, unknown> = {}): object {
  return {
    apiVersion: SANDBOX.apiVersion,
    kind: SANDBOX.kind,
    metadata: { name },
    spec: { podTemplate: { spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1' }] } }, ...spec },
  };
}

const claimTemplate = (storage: string) => ({ metadata: { name: 'workspace' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } });

test('all four CRDs are Established and served', async () => {
  for (const crd of allCrds()) {
    const live = await waitForCondition('crd', crd.metadata!.name!, 'Established');
    expect(live.status!.conditions!.find((c) => c.type === 'NamesAccepted')?.status).toBe('True');
  }
  const resources = await kubectl(['api-resources', '--api-group', SANDBOX.group, '-o', 'name']);
  expect(resources).toContain(`${SANDBOX.plural}.${SANDBOX.group}`);
});

test('a valid Sandbox is accepted and gets the schema defaults', async () => {
  await applyServerSide([sandbox('valid')], { namespace: ns.name });
  const live = await getObject(SANDBOX.plural, 'valid', { namespace: ns.name });
  expect(live?.spec).toMatchObject({ operatingMode: 'Running', shutdownPolicy: 'Retain' });
});

test('an unknown operatingMode is rejected naming the field and the allowed values', async () => {
  await expect(applyServerSide([sandbox('bad-mode', { operatingMode: 'Paused' })], { namespace: ns.name }))
    .rejects.toThrow(/spec\.operatingMode: Unsupported value: "Paused": supported values: "Running", "Suspended"/);
});

test('a wrongly typed pod spec field is rejected naming its path', async () => {
  const bad = sandbox('bad-port', {
    podTemplate: { spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1', ports: [{ containerPort: 'http' }] }] } },
  });
  await expect(applyServerSide([bad], { namespace: ns.name }))
    .rejects.toThrow(/\.spec\.podTemplate\.spec\.containers\[name="agent"\]\.ports\[.*\]\.containerPort: expected numeric \(int or float\), got string/);
});

test('an unknown pod spec field is reported, not silently dropped', async () => {
  const typo = sandbox('typo', { podTemplate: { spec: { containers: [{ name: 'agent', imagee: 'example.invalid/agent:1' }] } } });
  await expect(applyServerSide([typo], { namespace: ns.name }))
    .rejects.toThrow(/\.spec\.podTemplate\.spec\.containers\[name="agent"\]\.imagee: field not declared in schema/);
});

test('volumeClaimTemplates are immutable (CEL transition rule)', async () => {
  await applyServerSide([sandbox('with-pvc', { volumeClaimTemplates: [claimTemplate('1Gi')] })], { namespace: ns.name });
  await expect(applyServerSide([sandbox('with-pvc', { volumeClaimTemplates: [claimTemplate('2Gi')] })], { namespace: ns.name }))
    .rejects.toThrow(/The Sandbox "with-pvc" is invalid: spec: Invalid value: volumeClaimTemplates is immutable/);
  await expect(applyServerSide([sandbox('with-pvc', { operatingMode: 'Suspended', volumeClaimTemplates: [claimTemplate('1Gi')] })],
    { namespace: ns.name })).resolves.toContain('serverside-applied');
});
