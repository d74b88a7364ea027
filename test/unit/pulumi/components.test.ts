// Pulumi components under mocks: resource graph, parents, provider pass-through, inputs (including Outputs)
// and guardrail failures, without the Pulumi CLI.

import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { find, installMocks, ofType, registrations, settle, urnOf, valueOf } from './mocks';
import { AgentSandboxSystem, SandboxCrds, SandboxRuntimeClass, SandboxTemplate, SandboxWarmPool, TeamSandboxes } from '../../../lib/pulumi';
import { buildWithInputs } from '../../../lib/pulumi/deferred-inputs';
import { buildSandboxTemplate, type SandboxTemplateProps } from '../../../lib/builders';

// A hang guard, not a speed check: the four CRDs (~670 KB of schema) go through the mock monitor's
// property serialisation, which takes seconds on a loaded 2-core machine.
jest.setTimeout(60_000);

beforeAll(installMocks);
beforeEach(() => registrations.splice(0));

const SYSTEM = 'agent-sandbox-kit:index:AgentSandboxSystem';
const TEAM = 'agent-sandbox-kit:index:TeamSandboxes';
const TEMPLATE_TYPE = 'kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxTemplate';
const POOL_TYPE = 'kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxWarmPool';

const container = (overrides: Record<string, unknown> = {}) => ({
  name: 'agent',
  image: 'registry.local/python:3.12',
  resources: { limits: { cpu: '1', memory: '1Gi' } },
  securityContext: {
    runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' }, ...overrides,
  },
});

const team = (replicas = 5, securityOverrides: Record<string, unknown> = {}) => ({
  name: 'team-a',
  agents: { groups: ['team-a-agents'] },
  templates: [{ name: 'python', podTemplate: { spec: { runtimeClassName: 'gvisor', containers: [container(securityOverrides)] } } }],
  warmPools: [{ name: 'python', templateName: 'python', replicas }],
});

test('AgentSandboxSystem: one child per object, parented, CRDs and namespace first, outputs', async () => {
  const system = new AgentSandboxSystem('platform', { replicas: 2 });
  await settle();
  expect(find(SYSTEM, 'platform')).toBeDefined();
  const crds = ofType('kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition');
  expect(crds.map((c) => c.name).sort()).toEqual([
    'sandboxclaims.extensions.agents.x-k8s.io', 'sandboxes.agents.x-k8s.io',
    'sandboxtemplates.extensions.agents.x-k8s.io', 'sandboxwarmpools.extensions.agents.x-k8s.io',
  ]);
  const systemUrn = urnOf(SYSTEM, 'platform');
  const children = registrations.filter((r) => r.type !== SYSTEM);
  expect(children.length).toBe(system.resources.length);
  for (const child of children) expect(child.parent).toBe(systemUrn);
  const deployment = find('kubernetes:apps/v1:Deployment', 'agent-sandbox-system/agent-sandbox-controller');
  expect(deployment.inputs.spec.replicas).toBe(2);
  expect(deployment.dependencies).toContain(urnOf('kubernetes:core/v1:Namespace', 'agent-sandbox-system'));
  expect(deployment.dependencies).toContain(urnOf('kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition', 'sandboxes.agents.x-k8s.io'));
  expect(await valueOf(system.namespace)).toBe('agent-sandbox-system');
  expect(await valueOf(system.controllerServiceName)).toBe('agent-sandbox-controller');
  expect(await valueOf(system.crdNames)).toHaveLength(4);
});

test('SandboxCrds: the CRDs as their own component; the system can leave them out', async () => {
  const crds = new SandboxCrds('crds');
  new AgentSandboxSystem('platform', { installCrds: false }, { dependsOn: [crds] });
  await settle();
  const crdType = 'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition';
  const crdUrn = urnOf('agent-sandbox-kit:index:SandboxCrds', 'crds');
  expect(ofType(crdType).map((c) => c.parent)).toEqual([crdUrn, crdUrn, crdUrn, crdUrn]);
  expect((await valueOf(crds.crdNames)).sort()).toEqual(ofType(crdType).map((c) => c.name).sort());
  // dependsOn a component waits for its children: the controller comes after the CRDs.
  expect(find('kubernetes:apps/v1:Deployment', 'agent-sandbox-system/agent-sandbox-controller').dependencies).toContain(`${crdUrn.replace(/::crds$/, '')}$${crdType}::sandboxes.agents.x-k8s.io`);
});

test('AgentSandboxSystem: the image may be an Output and the provider reaches every child', async () => {
  const provider = new k8s.Provider('cluster', { kubeconfig: 'unused-under-mocks' });
  new AgentSandboxSystem('platform', { image: pulumi.output('registry.local/controller:abc123') }, { provider });
  await settle();
  const deployment = find('kubernetes:apps/v1:Deployment', 'agent-sandbox-system/agent-sandbox-controller');
  expect(deployment.inputs.spec.template.spec.containers[0].image).toBe('registry.local/controller:abc123');
  const providerUrn = urnOf('pulumi:providers:kubernetes', 'cluster');
  const children = registrations.filter((r) => r.type.startsWith('kubernetes:'));
  expect(children.length).toBeGreaterThan(5);
  for (const child of children) expect(child.provider).toMatch(new RegExp(`^${providerUrn}::`));
});

test('TeamSandboxes: templates and pools are custom resources waiting for the system (CRDs)', async () => {
  const system = new AgentSandboxSystem('platform');
  const teamA = new TeamSandboxes('team-a', team(), { dependsOn: [system] });
  await settle();
  const pool = find(POOL_TYPE, 'team-a/python');
  expect(pool.inputs.spec).toEqual({ replicas: 5, sandboxTemplateRef: { name: 'python' } });
  expect(pool.parent).toBe(urnOf(TEAM, 'team-a'));
  expect(pool.dependencies).toContain(urnOf('kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition', 'sandboxwarmpools.extensions.agents.x-k8s.io'));
  expect(find(TEMPLATE_TYPE, 'team-a/python').inputs.spec.podTemplate.spec.automountServiceAccountToken).toBe(false);
  expect(find('kubernetes:networking.k8s.io/v1:NetworkPolicy', 'team-a/default-deny').inputs.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  expect(await valueOf(teamA.namespace)).toBe('team-a');
  expect(await valueOf(teamA.warmPoolNames)).toEqual(['python']);
});

test('TeamSandboxes: sandboxAccess grants router access to more identities in one line', async () => {
  new TeamSandboxes('team-a', { ...team(), sandboxAccess: [{ name: 'release', serviceAccounts: ['ci/release'], sandboxes: ['sb-1'] }] });
  await settle();
  expect(find('kubernetes:rbac.authorization.k8s.io/v1:Role', 'team-a/sandbox-access-release').inputs.rules).toEqual([
    { apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes/proxy'], verbs: ['create'], resourceNames: ['sb-1'] },
  ]);
  expect(find('kubernetes:rbac.authorization.k8s.io/v1:RoleBinding', 'team-a/sandbox-access-release').inputs.subjects).toEqual([
    { kind: 'ServiceAccount', name: 'release', namespace: 'ci' },
  ]);
});

test('a privileged template fails naming the object, field path and rule, and registers nothing', async () => {
  expect(() => new TeamSandboxes('team-a', team(5, { privileged: true }))).toThrow(
    /TeamSandboxes team-a[^]*SandboxTemplate team-a\/python: spec\.podTemplate\.spec\.containers\[0\]\.securityContext\.privileged: .*\[rule no-privileged\]/,
  );
  await settle();
  expect(registrations).toEqual([]);
});

test('a warm pool above the team maximum fails with the warm-pool rule', () => {
  expect(() => new TeamSandboxes('team-a', { ...team(50), maxWarmPoolReplicas: 10 })).toThrow(
    /SandboxWarmPool team-a\/python: spec\.replicas: .*\[rule warm-pool-max-replicas\]/,
  );
});

test('single-object components and runtime classes carry their own token and outputs', async () => {
  const runtime = new SandboxRuntimeClass('gvisor', { name: 'gvisor', handler: 'runsc' });
  const template = new SandboxTemplate('solo', { name: 'solo', namespace: 'team-b', podTemplate: { spec: { runtimeClassName: 'gvisor', containers: [container()] } } });
  const pool = new SandboxWarmPool('solo', { name: 'solo', namespace: 'team-b', templateName: 'solo', replicas: 3 });
  await settle();
  expect(find('kubernetes:node.k8s.io/v1:RuntimeClass', 'gvisor').inputs.handler).toBe('runsc');
  expect(find('agent-sandbox-kit:index:SandboxRuntimeClass', 'gvisor')).toBeDefined();
  expect(find(TEMPLATE_TYPE, 'team-b/solo').parent).toBe(urnOf('agent-sandbox-kit:index:SandboxTemplate', 'solo'));
  expect(await valueOf(runtime.runtimeClassName)).toBe('gvisor');
  expect(await valueOf(template.namespace)).toBe('team-b');
  expect(await valueOf(pool.objectName)).toBe('solo');
  expect(() => new SandboxTemplate('bad', { name: 'bad', podTemplate: { spec: { containers: [container({ privileged: true })] } } })).toThrow(/\[rule no-privileged\]/);
});

test('values fed from other resources: namespaces, images, replicas and template names accept Outputs', async () => {
  const namespace = pulumi.output('team-c');
  const image = pulumi.output('registry.local/python:3.13');
  const teamC = new TeamSandboxes('team-c', {
    ...team(),
    name: 'team-c',
    systemNamespace: pulumi.output('platform-system'),
    templates: [{ name: 'python', podTemplate: { spec: { runtimeClassName: 'gvisor', containers: [{ ...container(), image }] } } }],
    warmPools: [{ name: 'python', templateName: 'python', replicas: pulumi.output(8) }],
  });
  const template = new SandboxTemplate('solo', { name: 'solo', namespace, podTemplate: { spec: { runtimeClassName: 'gvisor', containers: [{ ...container(), image }] } } });
  new SandboxWarmPool('solo', { name: 'solo', namespace: template.namespace, templateName: template.objectName, replicas: pulumi.output(2) });
  new AgentSandboxSystem('platform', { namespace: 'platform-system', replicas: pulumi.output(3) });
  await settle();
  expect(find(POOL_TYPE, 'team-c/python').inputs.spec.replicas).toBe(8);
  expect(find(TEMPLATE_TYPE, 'team-c/python').inputs.spec.podTemplate.spec.containers[0].image).toBe('registry.local/python:3.13');
  const egress = find('kubernetes:networking.k8s.io/v1:NetworkPolicy', 'team-c/default-deny').inputs.spec.ingress;
  expect(JSON.stringify(egress)).toContain('platform-system');
  // A namespace known only at deploy time names the resource after its component.
  expect(find(TEMPLATE_TYPE, 'solo/solo').inputs.metadata.namespace).toBe('team-c');
  expect(find(POOL_TYPE, 'solo/solo').inputs.spec).toEqual({ replicas: 2, sandboxTemplateRef: { name: 'solo' } });
  const controller = find('kubernetes:apps/v1:Deployment', 'platform-system/agent-sandbox-controller').inputs;
  expect(controller.spec.replicas).toBe(3);
  expect(controller.spec.template.spec.containers[0].args).toContain('--leader-elect=true');
  expect(await valueOf(teamC.warmPoolNames)).toEqual(['python']);
});

test('with deferred values, guardrails judge the known fields at once and the deferred ones when known', async () => {
  const image = pulumi.output('registry.local/python:3.13');
  const podTemplate = (overrides: Record<string, unknown> = {}) => ({ spec: { runtimeClassName: 'gvisor', containers: [{ ...container(overrides), image }] } });
  expect(() => new SandboxTemplate('root', { name: 'root', podTemplate: podTemplate({ privileged: true }) })).toThrow(/privileged: .*\[rule no-privileged\]/);
  // The image is a stand-in at build time, so only its real value can break the registry rule: the
  // field carrying it fails (the engine reports it for the resource) instead of the constructor.
  const guardrails = { allowedRegistries: ['ghcr.io/agent-sandbox-kit'] };
  const [template] = buildWithInputs({ name: 'foreign', podTemplate: podTemplate() }, {
    component: 'SandboxTemplate foreign', build: (plain: SandboxTemplateProps) => [buildSandboxTemplate(plain)], guardrails: () => guardrails,
  }) as unknown as { spec: { podTemplate: { spec: { containers: { image: { promise(): Promise<string>; isKnown: Promise<boolean>; isSecret: Promise<boolean> } }[] } } } }[];
  const deferred = template.spec.podTemplate.spec.containers[0].image;
  for (const result of await Promise.allSettled([deferred.promise(), deferred.isKnown, deferred.isSecret])) {
    expect(result.status).toBe('rejected');
    expect(String((result as PromiseRejectedResult).reason)).toMatch(/containers\[0\]\.image: "registry\.local\/python:3\.13" is not from an allowed registry .*\[rule allowed-registries\]/);
  }
});
