// Our CRDs in a real API server: they become Established, schema defaults apply, and the OpenAPI
// schema and CEL rules reject bad objects with errors that name the field.
import { allCrds, SANDBOX, SANDBOX_CLAIM, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL } from '../../lib/api';
import { applyServerSide, getObject, installCrds, kubectl, uniqueName, useTestNamespace, waitForCondition } from './harness';

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

// Issue 21: objects the controller could never turn into working children are refused at apply.
describe('CEL rules refuse what could never work', () => {
  const template = (name: string, networkPolicy: Record<string, unknown>) => ({
    apiVersion: SANDBOX_TEMPLATE.apiVersion, kind: SANDBOX_TEMPLATE.kind, metadata: { name },
    spec: { podTemplate: { spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1' }] } }, networkPolicy },
  });
  const apply = (obj: object) => applyServerSide([obj], { namespace: ns.name });
  const egressTo = (ipBlock: Record<string, unknown>) => ({ egress: [{ to: [{ ipBlock }] }] });
  const egressPort = (port: Record<string, unknown>) => ({ egress: [{ ports: [port] }] });

  test.each([
    ['an invalid CIDR', egressTo({ cidr: '198.18.0.300/15' }), /spec\.networkPolicy\.egress\[0\]\.to\[0\]\.ipBlock\.cidr: Invalid value: "198\.18\.0\.300\/15": must be a CIDR/],
    ['an invalid except', egressTo({ cidr: '198.18.0.0/15', except: ['nope'] }), /ipBlock\.except\[0\]: Invalid value: "nope": must be a CIDR/],
    ['an except outside the cidr', egressTo({ cidr: '198.18.0.0/16', except: ['198.19.0.0/24'] }), /ipBlock\.except: Invalid value: every except entry must be a strict subset of cidr/],
    ['port 0', egressPort({ port: 0 }), /ports\[0\]\.port: Invalid value: port must be a number from 1 to 65535/],
    ['port 70000', egressPort({ port: 70000 }), /ports\[0\]\.port: Invalid value: port must be a number from 1 to 65535/],
    ['a port name with capitals', egressPort({ port: 'HTTP_Port' }), /ports\[0\]\.port: Invalid value: "HTTP_Port": .*should match/],
    ['endPort below port', egressPort({ port: 8000, endPort: 7000 }), /ports\[0\]\.endPort: Invalid value: endPort needs a numeric port/],
    ['an unknown protocol', egressPort({ protocol: 'ICMP', port: 1 }), /ports\[0\]\.protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"/],
    ['an unknown selector operator', { ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] } }] }] }, /matchExpressions\[0\]\.operator: Unsupported value: "Gt"/],
  ])('a template network policy with %s is refused at apply', async (_case, networkPolicy, error) => {
    await expect(apply(template(uniqueName('np'), networkPolicy))).rejects.toThrow(error);
  });

  test('a valid template network policy is accepted', async () => {
    const valid = { egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.0.0/24'] } }], ports: [{ protocol: 'TCP', port: 443 }, { port: 8000, endPort: 8100 }, { port: 'https' }] }] };
    await expect(apply(template('np-valid', valid))).resolves.toContain('serverside-applied');
  });

  test('a Sandbox with service: true needs a DNS-1035 name; without a Service, dots are fine', async () => {
    await expect(apply(sandbox('has.dots', { service: true }))).rejects.toThrow(/spec\.service: true names its Service after itself, so its name must be a DNS-1035 label/);
    await expect(apply(sandbox(`s${'x'.repeat(63)}`, { service: true }))).rejects.toThrow(/DNS-1035 label/);
    await expect(apply(sandbox('has.dots'))).resolves.toContain('serverside-applied');
  });

  test('a Sandbox whose PVC name <template>-<sandbox> would pass 253 characters is refused', async () => {
    await expect(apply(sandbox(`s${'x'.repeat(245)}`, { volumeClaimTemplates: [claimTemplate('1Gi')] })))
      .rejects.toThrow(/each PersistentVolumeClaim is named <volumeClaimTemplate name>-<Sandbox name>, which must be at most 253 characters/);
  });

  test('a volume claim template needs a DNS-1123 label name (it names the pod volume)', async () => {
    const unnamed = { ...claimTemplate('1Gi'), metadata: {} };
    await expect(apply(sandbox('unnamed-vct', { volumeClaimTemplates: [unnamed] }))).rejects.toThrow(/spec\.volumeClaimTemplates\[0\]\.metadata\.name: Required value/);
    const badName = { ...claimTemplate('1Gi'), metadata: { name: 'Work.Space' } };
    await expect(apply(sandbox('bad-vct', { volumeClaimTemplates: [badName] }))).rejects.toThrow(/spec\.volumeClaimTemplates\[0\]\.metadata\.name: Invalid value: "Work\.Space": spec\.volumeClaimTemplates\[0\]\.metadata\.name in body should match/);
  });

  test('ephemeralContainers and non-ASCII label keys are refused', async () => {
    const withEphemeral = sandbox('ephemeral', {
      podTemplate: { spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1' }], ephemeralContainers: [{ name: 'debug', image: 'example.invalid/debug:1' }] } },
    });
    await expect(apply(withEphemeral)).rejects.toThrow(/spec\.podTemplate\.spec\.ephemeralContainers: Forbidden: ephemeralContainers cannot be set when a Pod is created/);
    const badLabel = sandbox('bad-label', {
      podTemplate: { metadata: { labels: { 'tëam': 'a' } }, spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1' }] } },
    });
    await expect(apply(badLabel)).rejects.toThrow(/spec\.podTemplate\.metadata\.labels: Invalid value: labels keys must be qualified names/);
  });

  test('a warm pool whose member names would be invalid is refused; a long plain name is fine', async () => {
    const pool = (name: string) => ({ apiVersion: SANDBOX_WARM_POOL.apiVersion, kind: SANDBOX_WARM_POOL.kind, metadata: { name }, spec: { sandboxTemplateRef: { name: 'tpl' } } });
    await expect(apply(pool(`${'a'.repeat(56)}.-b`))).rejects.toThrow(/members are named <the first 58 characters/);
    await expect(apply(pool('p'.repeat(250)))).resolves.toContain('serverside-applied');
  });

  test('a claim whose cold-start PVC name would pass 253 characters is refused', async () => {
    const claim = { apiVersion: SANDBOX_CLAIM.apiVersion, kind: SANDBOX_CLAIM.kind, metadata: { name: `c${'x'.repeat(245)}` }, spec: { warmPoolRef: { name: 'pool' }, volumeClaimTemplates: [claimTemplate('1Gi')] } };
    await expect(apply(claim)).rejects.toThrow(/<volumeClaimTemplate name>-<SandboxClaim name>/);
  });
});
