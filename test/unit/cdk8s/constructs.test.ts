// Snapshot and behaviour tests of the cdk8s constructs (GIVEN / WHEN / THEN, cdk8s-plus style).

import { ApiObject, Chart, Testing } from 'cdk8s';
import { Node } from 'constructs';
import {
  AgentSandboxSystem, Guardrails, Sandbox, SandboxClaim, SandboxCrds, SandboxRouter, SandboxRuntimeClass, SandboxTemplate, SandboxWarmPool, TeamSandboxes,
} from '../../../lib';
import { compliantPodSpec } from '../../support/objects';

const podTemplate = { spec: compliantPodSpec() };

describe('AgentSandboxSystem', () => {
  test('default installation', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const system = new AgentSandboxSystem(chart, 'system');
    // THEN
    const manifests = Testing.synth(chart);
    expect(manifests.filter((m) => m.kind !== 'CustomResourceDefinition')).toMatchSnapshot();
    expect(manifests.slice(0, 4).map((m) => m.metadata.name)).toEqual([
      'sandboxes.agents.x-k8s.io', 'sandboxtemplates.extensions.agents.x-k8s.io', 'sandboxwarmpools.extensions.agents.x-k8s.io', 'sandboxclaims.extensions.agents.x-k8s.io',
    ]);
    expect([system.namespace, system.serviceAccountName, system.apiObjects.length]).toEqual(['agent-sandbox-system', 'agent-sandbox-controller', manifests.length]);
  });

  test('invalid flags fail synth naming the construct path, prop and flag', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new AgentSandboxSystem(chart, 'system', { flags: { sandboxClaimConcurrentWorkers: 0, kubeApiBurst: -5, sandboxWarmPoolUnschedulableRecheckInterval: '1 minute' } });
    // THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\/system\] flags\.sandboxClaimConcurrentWorkers \(--sandbox-claim-concurrent-workers\) must be >= 1/);
    expect(() => Testing.synth(chart)).toThrow(/\[test\/system\] flags\.kubeApiBurst \(--kube-api-burst\) must be >= 1/);
    expect(() => Testing.synth(chart)).toThrow(/\[test\/system\] flags\.sandboxWarmPoolUnschedulableRecheckInterval \(--sandbox-warm-pool-unschedulable-recheck-interval\) must be a duration/);
  });
});

describe('SandboxRuntimeClass', () => {
  test('gVisor and Kata presets', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const gvisor = SandboxRuntimeClass.gvisor(chart, 'gvisor');
    const kata = SandboxRuntimeClass.kata(chart, 'kata', 'fc', { overhead: { cpu: '500m', memory: '256Mi' } });
    SandboxRuntimeClass.kata(chart, 'kata-default');
    // THEN
    expect(Testing.synth(chart)).toMatchSnapshot();
    expect([gvisor.name, kata.name]).toEqual(['gvisor', 'kata-fc']);
    expect(Node.of(gvisor).defaultChild).toBe(gvisor.apiObject);
  });

  test('invalid handler fails synth with the construct path', () => {
    const chart = Testing.chart();
    new SandboxRuntimeClass(chart, 'custom', { name: 'custom', handler: 'Bad Handler' });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/custom\] handler "Bad Handler" must be a DNS-1123 label/);
  });
});

describe('SandboxCrds and SandboxRouter (package root)', () => {
  test('CRDs in a chart of their own, the system without them', () => {
    // GIVEN
    const app = Testing.app();
    const crdsChart = new Chart(app, 'crds');
    const systemChart = new Chart(app, 'system');
    // WHEN
    const crds = new SandboxCrds(crdsChart, 'crds');
    const core = new SandboxCrds(new Chart(app, 'core'), 'crds', { extensions: false });
    new AgentSandboxSystem(systemChart, 'system', { installCrds: false });
    // THEN
    expect(Testing.synth(crdsChart).map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(crds.crdNames.map((n) => `CustomResourceDefinition/${n}`));
    expect(crds.crdNames).toHaveLength(4);
    expect(core.crdNames).toEqual(['sandboxes.agents.x-k8s.io']);
    expect(Testing.synth(systemChart).filter((m) => m.kind === 'CustomResourceDefinition')).toEqual([]);
  });

  test('SandboxRouter is exported from the package root', () => {
    const chart = Testing.chart();
    const router = new SandboxRouter(chart, 'router');
    expect(Testing.synth(chart).map((m) => m.kind)).toContain('Deployment');
    expect(router.url).toBe('http://sandbox-router-svc.agent-sandbox-system.svc:8080');
  });
});

describe('Sandbox, SandboxTemplate, SandboxWarmPool, SandboxClaim', () => {
  test('addWarmPool names the pool after its template unless told otherwise', () => {
    const chart = new Chart(Testing.app(), 'teams', { namespace: 'ml' });
    const python = new SandboxTemplate(chart, 'python', { name: 'python', podTemplate });
    expect(python.addWarmPool('pool', { replicas: 2 }).name).toBe('python');
    expect(python.addWarmPool('big', { name: 'python-big', replicas: 5 }).name).toBe('python-big');
    expect(Testing.synth(chart).filter((m) => m.kind === 'SandboxWarmPool').map((m) => m.metadata.name)).toEqual(['python', 'python-big']);
  });

  test('template with addWarmPool, a claim and a direct sandbox, in the chart namespace', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test', { namespace: 'team-a' });
    // WHEN
    const template = new SandboxTemplate(chart, 'python', { podTemplate, envVarsInjectionPolicy: 'Allowed' });
    const pool = template.addWarmPool('pool', { replicas: 3 });
    new SandboxClaim(chart, 'claim', { warmPool: pool, lifecycle: { shutdownPolicy: 'Delete' } });
    new Sandbox(chart, 'dev', { name: 'dev-box', podTemplate, service: true });
    new SandboxWarmPool(chart, 'by-name', { template: 'python-other', name: 'other' });
    // THEN
    const manifests = Testing.synth(chart);
    expect(manifests).toMatchSnapshot();
    expect(pool.namespace).toBe('team-a');
    expect(manifests.find((m) => m.kind === 'SandboxWarmPool').spec.sandboxTemplateRef.name).toBe(template.name);
    expect(manifests.find((m) => m.kind === 'SandboxClaim').spec.warmPoolRef.name).toBe(pool.name);
  });

  test('invalid props fail synth with the construct path instead of throwing in the constructor', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const sandbox = new Sandbox(chart, 'empty', { podTemplate: { spec: { containers: [] } } });
    new SandboxClaim(chart, 'claim', { warmPool: 'Not_A_Name' });
    // THEN
    // The object exists (as in cdk8s-plus) but carries only its identity: synth fails on the problems.
    expect(sandbox.apiObject.toJson()).toEqual({ apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', metadata: { name: sandbox.name, namespace: 'default' } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/empty\] podTemplate\.spec\.containers must list at least one container/);
    expect(() => Testing.synth(chart)).toThrow(/\[test\/claim\] warmPoolName "Not_A_Name" must be a DNS-1123 subdomain/);
  });
});

describe('TeamSandboxes', () => {
  test('team with template and pool', () => {
    // GIVEN
    const chart = Testing.chart();
    const team = new TeamSandboxes(chart, 'analytics', {
      name: 'analytics', agents: { groups: ['analysts'] }, maxWarmPoolReplicas: 5, guardrails: { allowedRegistries: ['registry.internal'] },
    });
    // WHEN
    team.addTemplate('python', { name: 'python', podTemplate, guardrailExemptions: { 'allowed-registries': 'vendored image mirrored nightly' } }).addWarmPool('pool', { name: 'python', replicas: 5 });
    // THEN
    const manifests = Testing.synth(chart);
    expect(manifests).toMatchSnapshot();
    // The admission policy honours the template's exemption (added after the team was constructed), for that rule only.
    const vap = manifests.find((m) => m.kind === 'ValidatingAdmissionPolicy' && m.metadata.name.startsWith('agent-sandbox-guardrails-'));
    const expressionOf = (rule: string) => vap.spec.validations.find((v: any) => v.message.startsWith(`[rule ${rule}]`)).expression;
    expect(expressionOf('allowed-registries')).toContain("(object.kind == 'SandboxTemplate' && object.metadata.name == 'python')");
    expect(expressionOf('runtime-class')).not.toContain("object.metadata.name == 'python'");
    expect(team.guardrails.policy.maxWarmPoolReplicas).toBe(5);
  });

  test('grantSandboxAccess adds router access in one line; a bad grant fails synth naming its path', () => {
    // GIVEN
    const chart = Testing.chart();
    const team = new TeamSandboxes(chart, 'analytics', { name: 'analytics', agents: { groups: ['analysts'] } });
    // WHEN
    team.grantSandboxAccess({ name: 'owner', serviceAccounts: ['release/bot'], sandboxes: ['sb-1'] });
    // THEN
    const grant = Testing.synth(chart).filter((m) => m.metadata.name === 'sandbox-access-owner');
    expect(grant.map((m) => [m.kind, m.metadata.namespace])).toEqual([['Role', 'analytics'], ['RoleBinding', 'analytics']]);
    expect(grant[0].rules).toEqual([{ apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes/proxy'], verbs: ['create'], resourceNames: ['sb-1'] }]);
    expect(grant[1].subjects).toEqual([{ kind: 'ServiceAccount', name: 'bot', namespace: 'release' }]);
    team.grantSandboxAccess({ name: 'nobody' });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/analytics\/SandboxAccess-nobody\] must name at least one group, service account or user/);
  });

  test('removing runtimeClassName fails synth naming the construct path, field path and rule', () => {
    // GIVEN
    const chart = Testing.chart();
    const team = new TeamSandboxes(chart, 'browser', { name: 'browser', agents: { groups: ['b'] } });
    const spec = compliantPodSpec();
    delete spec.runtimeClassName;
    // WHEN
    team.addTemplate('chromium', { name: 'chromium', podTemplate: { spec } });
    // THEN
    expect(() => Testing.synth(chart)).toThrow(
      '[test/browser/Guardrails] test/browser/chromium/Resource: spec.podTemplate.spec.runtimeClassName: is not set; sandboxes must use one of the runtime classes gvisor, kata-qemu, kata-clh, kata-fc [rule runtime-class]',
    );
  });

  test('a warm pool above the team maximum fails synth', () => {
    const chart = Testing.chart();
    const team = new TeamSandboxes(chart, 'team', { name: 'team', agents: { users: ['u'] }, maxWarmPoolReplicas: 2 });
    team.addTemplate('t', { name: 't', podTemplate }).addWarmPool('pool', { replicas: 3 });
    expect(() => Testing.synth(chart)).toThrow(/test\/team\/t\/pool\/Resource: spec\.replicas: 3 exceeds the maximum warm pool size 2 \[rule warm-pool-max-replicas\]/);
  });

  test('invalid team props fail synth with the construct path', () => {
    const chart = Testing.chart();
    new TeamSandboxes(chart, 'team', { name: 'team', agents: {} });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/team\] agents must name at least one group, service account or user/);
  });
});

describe('Guardrails', () => {
  test('checks any ApiObject under its scope; the nearest Guardrails wins', () => {
    // GIVEN an app-wide restricted policy and a nested, more lenient one
    const chart = Testing.chart();
    new Guardrails(chart, 'Guardrails');
    const spec = { containers: [{ name: 'web', image: 'nginx' }] };
    new ApiObject(chart, 'raw', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'raw' }, spec });
    const lenient = new Chart(chart, 'lenient');
    new Guardrails(lenient, 'Guardrails', { profile: 'baseline', allowedRuntimeClasses: ['runc'] });
    new ApiObject(lenient, 'web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { ...spec, runtimeClassName: 'runc' } } } });
    // WHEN / THEN only the raw pod fails, and every failing rule is named
    expect(() => Testing.synth(chart)).toThrow(/test\/raw: spec\.containers\[0\]\.securityContext\.runAsNonRoot: .*\[rule run-as-non-root\]/);
    let thrown: unknown;
    try {
      Testing.synth(chart);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).not.toContain('test/lenient/web');
    expect(Guardrails.of(lenient.node.findChild('web'))?.policy.profile).toBe('baseline');
  });

  test('a bad policy or a malformed exemption annotation is reported', () => {
    const chart = Testing.chart();
    new Guardrails(chart, 'Guardrails', { maxWarmPoolReplicas: 1.5 });
    expect(() => Testing.synth(chart)).toThrow(/guardrails: maxWarmPoolReplicas must be an integer >= 0/);
    const other = Testing.chart();
    new Guardrails(other, 'Guardrails');
    new ApiObject(other, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { 'agent-sandbox-kit.dev/guardrail-exemptions': '{' } }, spec: {} });
    expect(() => Testing.synth(other)).toThrow(/test\/pod: annotation agent-sandbox-kit.dev\/guardrail-exemptions is not valid JSON/);
    expect(Guardrails.of(Testing.chart())).toBeUndefined();
  });
});
