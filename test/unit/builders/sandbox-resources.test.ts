// Sandbox, SandboxTemplate, SandboxWarmPool and SandboxClaim builders: wire shape, secure defaults,
// exemption annotations and early errors.

import type { PodSpec, ResourceRequirements, Volume } from 'kubernetes-types/core/v1';
import { ANNOTATION } from '../../../lib/api';
import { buildSandbox, buildSandboxClaim, buildSandboxTemplate, buildSandboxWarmPool, sandboxProblems } from '../../../lib/builders';

const podTemplate = { spec: { containers: [{ name: 'main', image: 'python:3.12' }] } };

describe('sandbox kinds', () => {
  test('Sandbox: wire shape, token off by default, Date shutdown time', () => {
    expect(buildSandbox({ name: 'dev', podTemplate, shutdownTime: new Date('2030-01-01T00:00:00Z'), shutdownPolicy: 'Delete', service: true })).toEqual({
      apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', metadata: { name: 'dev', namespace: 'default' },
      spec: {
        podTemplate: { spec: { containers: [{ name: 'main', image: 'python:3.12', resources: { requests: { 'ephemeral-storage': '512Mi' }, limits: { 'ephemeral-storage': '512Mi' } } }], automountServiceAccountToken: false } },
        service: true, shutdownTime: '2030-01-01T00:00:00.000Z', shutdownPolicy: 'Delete',
      },
    });
    // An explicit value is kept.
    expect(buildSandbox({ name: 'x', podTemplate: { spec: { ...podTemplate.spec, automountServiceAccountToken: true } } }).spec.podTemplate.spec.automountServiceAccountToken).toBe(true);
  });

  test('built objects never share nested arrays with the props', () => {
    // GIVEN props with nested arrays
    const props = { name: 'dev', podTemplate: { spec: { containers: [{ name: 'main', image: 'python:3.12', env: [{ name: 'A', value: '1' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'ws' }, spec: { accessModes: ['ReadWriteOnce'] } }] };
    // WHEN the built object is changed afterwards (e.g. by a test or a later transformation)
    const built = buildSandbox(props);
    built.spec.podTemplate.spec.containers[0].env!.push({ name: 'B', value: '2' });
    built.spec.volumeClaimTemplates![0].spec.accessModes!.push('ReadOnlyMany');
    // THEN the props are untouched
    expect(props.podTemplate.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }]);
    expect(props.volumeClaimTemplates[0].spec.accessModes).toEqual(['ReadWriteOnce']);
  });

  test('SandboxTemplate: policies and exemption annotation', () => {
    const t = buildSandboxTemplate({
      name: 'py', namespace: 'team', podTemplate, envVarsInjectionPolicy: 'Allowed', networkPolicyManagement: 'Unmanaged',
      annotations: { owner: 'data' }, guardrailExemptions: { 'runtime-class': 'trusted first-party code' },
    });
    expect(t.metadata.annotations).toEqual({ owner: 'data', [ANNOTATION.guardrailExemptions]: '{"runtime-class":"trusted first-party code"}' });
    expect(t.spec).toMatchObject({ envVarsInjectionPolicy: 'Allowed', networkPolicyManagement: 'Unmanaged' });
  });

  test('SandboxWarmPool and SandboxClaim', () => {
    expect(buildSandboxWarmPool({ name: 'p', templateName: 'py', updateStrategy: 'Recreate' }).spec).toEqual({ replicas: 1, sandboxTemplateRef: { name: 'py' }, updateStrategy: { type: 'Recreate' } });
    expect(buildSandboxClaim({ name: 'c', warmPoolName: 'p', env: [{ name: 'TOKEN', value: 'x' }], lifecycle: { shutdownPolicy: 'Delete' } }).spec).toEqual({
      warmPoolRef: { name: 'p' }, lifecycle: { shutdownPolicy: 'Delete' }, env: [{ name: 'TOKEN', value: 'x' }],
    });
  });

  test('bad input is named: empty containers, reserved keys, unnamed volume claims, bad times, bad exemptions', () => {
    expect(sandboxProblems({
      name: 'Bad', namespace: 'ns', shutdownTime: 'tomorrow',
      podTemplate: { metadata: { labels: { 'agents.x-k8s.io/sandbox-name-hash': 'x' } }, spec: { containers: [] } },
      volumeClaimTemplates: [{ spec: {} }],
      // Deliberately malformed (an unknown rule id), as untyped callers such as JavaScript or YAML can pass it.
      guardrailExemptions: { 'no-such-rule': 'x', 'runtime-class': ' ' } as never,
    })).toEqual([
      expect.stringContaining('name "Bad" must be a DNS-1123 subdomain'),
      'podTemplate.spec.containers must list at least one container',
      'podTemplate.metadata.labels["agents.x-k8s.io/sandbox-name-hash"] uses a reserved key (set by the controller only)',
      'volumeClaimTemplates[0].metadata.name is required (it names the volume)',
      expect.stringContaining('guardrailExemptions: exemption for unknown guardrail rule "no-such-rule"'),
      'guardrailExemptions: exemption for guardrail rule "runtime-class" needs a written reason',
      'shutdownTime "tomorrow" is not an RFC 3339 time (e.g. "2030-01-02T15:04:05Z")',
    ]);
    expect(() => buildSandboxWarmPool({ name: 'p', templateName: 'py', replicas: -1 })).toThrow('SandboxWarmPool p: replicas must be an integer >= 0 (got -1)');
    expect(() => buildSandboxClaim({ name: 'c', warmPoolName: 'p', env: [{ name: '', value: 'x' }], lifecycle: { ttlSecondsAfterFinished: -5 }, additionalPodMetadata: { annotations: { 'opentelemetry.io/trace-context': 'x' } } }))
      .toThrow(/reserved key.*env\[0\]\.name must not be empty; lifecycle\.ttlSecondsAfterFinished must be >= 0/);
    expect(() => buildSandboxTemplate({ name: 't', namespace: 'Team', podTemplate })).toThrow(/namespace "Team" must be a DNS-1123 label/);
  });
});

describe('ephemeral storage derived from the volumes (issue 21)', () => {
  const spec = (volumes: Volume[], resources?: ResourceRequirements): PodSpec => ({ containers: [{ name: 'main', image: 'python:3.12', ...(resources ? { resources } : {}) }, { name: 'side', image: 'python:3.12' }], volumes });
  const storageOf = (template: ReturnType<typeof buildSandboxTemplate>) => template.spec.podTemplate.spec.containers.map((c) => c.resources?.limits?.['ephemeral-storage'] ?? null);

  test('disk emptyDirs plus room for writable layers and logs, as request and limit on the first container', () => {
    const template = buildSandboxTemplate({ name: 't', podTemplate: { spec: spec([{ name: 'w', emptyDir: { sizeLimit: '1Gi' } }, { name: 't', emptyDir: { sizeLimit: '256Mi' } }, { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '4Gi' } }]) } });
    expect(storageOf(template)).toEqual(['1792Mi', null]);
    expect(template.spec.podTemplate.spec.containers[0].resources?.requests?.['ephemeral-storage']).toBe('1792Mi');
  });

  test('left alone when the user set it, or when an emptyDir is unbounded', () => {
    const own = buildSandboxTemplate({ name: 't', podTemplate: { spec: spec([{ name: 'w', emptyDir: { sizeLimit: '1Gi' } }], { limits: { 'ephemeral-storage': '5Gi' } }) } });
    expect(storageOf(own)).toEqual(['5Gi', null]);
    const unbounded = buildSandboxTemplate({ name: 't', podTemplate: { spec: spec([{ name: 'w', emptyDir: {} }]) } });
    expect(storageOf(unbounded)).toEqual([null, null]);
  });
});
