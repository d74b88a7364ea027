// One failing and one passing case per guardrail rule, plus exemptions, profiles and other workload kinds.

import type { PodSpec } from 'kubernetes-types/core/v1';
import { ANNOTATION } from '../../../lib/api';
import { checkObject, checkObjects, exemptionAnnotations, formatViolation, GuardrailPolicy, RULE, RuleId } from '../../../lib/policy';
import { compliantPodSpec } from '../../support/objects';
import { poolWith, templateWith } from './fixtures';

const policy: GuardrailPolicy = { allowedRegistries: ['ghcr.io/acme'], maxWarmPoolReplicas: 10 };

interface Case {
  readonly rule: RuleId;
  readonly path: string;
  readonly breaks: (spec: PodSpec) => void;
  readonly alsoPasses?: (spec: PodSpec) => void;
}

const c0 = (spec: PodSpec) => spec.containers[0];

const cases: Case[] = [
  { rule: RULE.runAsNonRoot, path: 'containers[0].securityContext.runAsNonRoot', breaks: (s) => { c0(s).securityContext!.runAsNonRoot = false; },
    alsoPasses: (s) => { delete s.securityContext!.runAsNonRoot; c0(s).securityContext!.runAsNonRoot = true; } },
  { rule: RULE.runAsNonRoot, path: 'containers[0].securityContext.runAsUser', breaks: (s) => { s.securityContext!.runAsUser = 0; },
    alsoPasses: (s) => { s.securityContext!.runAsUser = 0; c0(s).securityContext!.runAsUser = 1000; } },
  { rule: RULE.noPrivilegeEscalation, path: 'containers[0].securityContext.allowPrivilegeEscalation', breaks: (s) => { delete c0(s).securityContext!.allowPrivilegeEscalation; } },
  { rule: RULE.dropAllCapabilities, path: 'containers[0].securityContext.capabilities.drop', breaks: (s) => { c0(s).securityContext!.capabilities = { drop: ['NET_RAW'] }; } },
  { rule: RULE.noAddedCapabilities, path: 'containers[0].securityContext.capabilities.add', breaks: (s) => { c0(s).securityContext!.capabilities!.add = ['NET_ADMIN']; } },
  { rule: RULE.noPrivileged, path: 'containers[0].securityContext.privileged', breaks: (s) => { c0(s).securityContext!.privileged = true; } },
  { rule: RULE.seccompProfile, path: 'containers[0].securityContext.seccompProfile.type', breaks: (s) => { c0(s).securityContext!.seccompProfile = { type: 'Unconfined' }; },
    alsoPasses: (s) => { delete s.securityContext!.seccompProfile; c0(s).securityContext!.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' }; } },
  { rule: RULE.runtimeClass, path: 'runtimeClassName', breaks: (s) => { s.runtimeClassName = 'runc'; } },
  { rule: RULE.resourceLimits, path: 'containers[0].resources.limits', breaks: (s) => { c0(s).resources = { limits: { cpu: '1' } }; } },
  { rule: RULE.noHostPath, path: 'volumes[0].hostPath', breaks: (s) => { s.volumes = [{ name: 'host', hostPath: { path: '/' } }]; },
    alsoPasses: (s) => { s.volumes = [{ name: 'scratch', emptyDir: {} }]; } },
  { rule: RULE.noHostNamespaces, path: 'hostPID', breaks: (s) => { s.hostPID = true; }, alsoPasses: (s) => { s.hostNetwork = false; } },
  { rule: RULE.noServiceAccountToken, path: 'automountServiceAccountToken', breaks: (s) => { delete s.automountServiceAccountToken; } },
  { rule: RULE.allowedRegistries, path: 'containers[0].image', breaks: (s) => { c0(s).image = 'ghcr.io.evil.example/acme/runtime:1'; } },
  { rule: RULE.allowedRegistries, path: 'initContainers[0].image', breaks: (s) => { s.initContainers = [{ ...structuredClone(c0(s)), name: 'setup', image: 'docker.io/other/setup:1' }]; } },
  { rule: RULE.allowedRegistries, path: 'ephemeralContainers[0].image', breaks: (s) => { s.ephemeralContainers = [{ ...structuredClone(c0(s)), name: 'debug', image: 'docker.io/other/debug:1' }]; } },
];

describe('guardrail rules (restricted profile)', () => {
  test('the compliant template passes every rule', () => {
    expect(checkObject(templateWith(compliantPodSpec()), policy)).toEqual([]);
  });

  test.each(cases)('$rule: fails with object, field path and rule id', ({ rule, path, breaks }) => {
    // GIVEN a compliant template WHEN one field is broken
    const spec = compliantPodSpec();
    breaks(spec);
    // THEN exactly that rule fails, at that path
    const violations = checkObject(templateWith(spec), policy);
    expect(violations.map((v) => [v.rule, v.path])).toEqual([[rule, `spec.podTemplate.spec.${path}`]]);
    expect(formatViolation(violations[0])).toMatch(new RegExp(`^SandboxTemplate team-a/python: spec\\.podTemplate\\.spec\\..+ \\[rule ${rule}\\]$`));
  });

  test.each(cases.filter((c) => c.alsoPasses))('$rule: passes for another compliant form', ({ alsoPasses }) => {
    const spec = compliantPodSpec();
    alsoPasses!(spec);
    expect(checkObject(templateWith(spec), policy)).toEqual([]);
  });

  test('init containers are checked too', () => {
    const spec = compliantPodSpec();
    spec.initContainers = [{ name: 'init', image: 'ghcr.io/acme/init:1' }];
    expect(new Set(checkObject(templateWith(spec), policy).map((v) => v.path.split('.').slice(3, 4)[0]))).toEqual(new Set(['initContainers[0]']));
  });

  test('runtimeClassName missing names the allowed classes', () => {
    const spec = compliantPodSpec();
    delete spec.runtimeClassName;
    expect(checkObject(templateWith(spec), { allowedRuntimeClasses: ['kata-qemu'] }).map(formatViolation)).toEqual([
      'SandboxTemplate team-a/python: spec.podTemplate.spec.runtimeClassName: is not set; sandboxes must use one of the runtime classes kata-qemu [rule runtime-class]',
    ]);
  });

  test('warm-pool-max-replicas: fails above the team maximum, passes at it and by default', () => {
    expect(checkObject(poolWith(11), policy).map((v) => [v.rule, v.path, v.message])).toEqual([[RULE.warmPoolMaxReplicas, 'spec.replicas', '11 exceeds the maximum warm pool size 10']]);
    expect(checkObject(poolWith(10), policy)).toEqual([]);
    expect(checkObject(poolWith(undefined), { maxWarmPoolReplicas: 0 })).toHaveLength(1);
    expect(checkObject(poolWith(1000), {})).toEqual([]);
  });

  test('exemptions skip exactly the named rule; malformed exemption annotations are errors', () => {
    const spec = compliantPodSpec();
    delete spec.runtimeClassName;
    spec.hostNetwork = true;
    const exempt = exemptionAnnotations({ [RULE.runtimeClass]: 'runs on dedicated single-tenant nodes' });
    expect(checkObject(templateWith(spec, exempt), policy).map((v) => v.rule)).toEqual([RULE.noHostNamespaces]);
    expect(() => checkObject(templateWith(spec, { [ANNOTATION.guardrailExemptions]: 'not json' }), policy)).toThrow(/not valid JSON/);
    expect(() => checkObject(templateWith(spec, { [ANNOTATION.guardrailExemptions]: '[]' }), policy)).toThrow(/JSON object/);
  });

  test('Pods, Deployments and CronJobs are checked at their pod spec; other kinds are ignored', () => {
    const spec = compliantPodSpec();
    spec.hostIPC = true;
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' }, spec: { template: { spec } } };
    const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec } } } } };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec };
    expect(checkObjects([deployment, cronJob, pod], policy).map(formatViolation)).toEqual([
      'Deployment n/d: spec.template.spec.hostIPC: must not be true [rule no-host-namespaces]',
      'CronJob c: spec.jobTemplate.spec.template.spec.hostIPC: must not be true [rule no-host-namespaces]',
      'Pod p: spec.hostIPC: must not be true [rule no-host-namespaces]',
    ]);
    expect(checkObjects([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, { kind: 'Deployment', metadata: { name: 'empty' } }], policy)).toEqual([]);
  });

  test('baseline profile ignores the restricted-only rules', () => {
    const spec = compliantPodSpec();
    delete spec.automountServiceAccountToken;
    delete c0(spec).securityContext;
    expect(checkObject(templateWith(spec), { profile: 'baseline' })).toEqual([]);
    spec.hostNetwork = true;
    expect(checkObject(templateWith(spec), { profile: 'baseline' }).map((v) => v.rule)).toEqual([RULE.noHostNamespaces]);
  });

  test('invalid policies are rejected with every problem named', () => {
    // An unknown profile on purpose (a typo in untyped configuration).
    expect(() => checkObjects([], { profile: 'lenient' as never, allowedRuntimeClasses: [], allowedRegistries: [], maxWarmPoolReplicas: -1 })).toThrow(
      /unknown guardrail profile "lenient".*allowedRuntimeClasses must not be empty.*allowedRegistries must not be empty.*maxWarmPoolReplicas must be an integer >= 0/,
    );
  });
});
