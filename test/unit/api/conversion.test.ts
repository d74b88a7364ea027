import fc from 'fast-check';
import {
  ConversionError, convertObject, toV1alpha1, toV1beta1, V1ALPHA1_FIELDS_ANNOTATION, V1BETA1_FIELDS_ANNOTATION,
  type AnyV1alpha1Object, type AnyV1beta1Object, type SandboxV1alpha1,
} from '../../../lib/api/conversion';

const podTemplate = { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'main', image: 'python:3.12' }] } };

// --- Arbitraries (our reserved annotation keys are never user input).

const name = fc.constantFrom('a', 'py', 'shell-1', 'default', 'none');
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const metadata = fc.record({
  name, namespace: fc.constant('team-a'),
  labels: opt(fc.dictionary(fc.constantFrom('app', 'tier'), fc.string({ maxLength: 5 }))),
  annotations: opt(fc.dictionary(fc.constantFrom('note', 'example.com/owner'), fc.string({ maxLength: 8 }), { minKeys: 1 })),
}, { requiredKeys: ['name', 'namespace'] });
const podIPs = fc.array(fc.constantFrom('198.18.0.5', 'fd00::5'), { maxLength: 2 });
const condition = fc.record({ type: fc.constant('Ready'), status: fc.constantFrom('True', 'False'), reason: fc.constant('R'), message: fc.constant(''), lastTransitionTime: fc.constant('2026-01-01T00:00:00Z') });
const blueprint = { podTemplate: fc.constant(podTemplate), service: opt(fc.boolean()) };
const vcts = fc.constant([{ metadata: { name: 'work' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }]);
const templateSpec = { ...blueprint, networkPolicyManagement: opt(fc.constantFrom('Managed', 'Unmanaged')), envVarsInjectionPolicy: opt(fc.constantFrom('Allowed', 'Disallowed')) };
const lifecycle = opt(fc.record({ shutdownPolicy: fc.constantFrom('Delete', 'Retain'), ttlSecondsAfterFinished: fc.nat(100) }, { requiredKeys: [] }));
const claimStatus = opt(fc.record({ conditions: fc.array(condition, { maxLength: 1 }), sandbox: fc.record({ name, podIPs }, { requiredKeys: [] }) }, { requiredKeys: [] }));
const omitting = { requiredKeys: [] as never[] };

const alphaObjects: fc.Arbitrary<AnyV1alpha1Object> = fc.oneof(
  fc.record({
    apiVersion: fc.constant('agents.x-k8s.io/v1alpha1' as const), kind: fc.constant('Sandbox' as const), metadata,
    spec: fc.record({ ...blueprint, replicas: opt(fc.constantFrom(0, 1)), shutdownPolicy: opt(fc.constantFrom('Delete', 'Retain') as fc.Arbitrary<'Delete' | 'Retain'>) }, { requiredKeys: ['podTemplate'] }),
    status: opt(fc.record({ replicas: opt(fc.nat(2)), podIPs, serviceFQDN: fc.constant('a.team-a.svc'), conditions: fc.array(condition, { maxLength: 1 }) }, omitting)),
  }, { requiredKeys: ['apiVersion', 'kind', 'metadata', 'spec'] }),
  fc.record({
    apiVersion: fc.constant('extensions.agents.x-k8s.io/v1alpha1' as const), kind: fc.constant('SandboxTemplate' as const), metadata,
    spec: fc.record(templateSpec, { requiredKeys: ['podTemplate'] }),
  }) as fc.Arbitrary<AnyV1alpha1Object>,
  fc.record({
    apiVersion: fc.constant('extensions.agents.x-k8s.io/v1alpha1' as const), kind: fc.constant('SandboxWarmPool' as const), metadata,
    spec: fc.record({ replicas: opt(fc.nat(5)), sandboxTemplateRef: fc.record({ name }), updateStrategy: opt(fc.record({ type: fc.constantFrom('Recreate', 'OnReplenish') as fc.Arbitrary<'Recreate'> })) }, { requiredKeys: ['sandboxTemplateRef'] }),
    status: opt(fc.record({ replicas: fc.nat(5), readyReplicas: fc.nat(5), selector: fc.constant('x=y') }, omitting)),
  }, { requiredKeys: ['apiVersion', 'kind', 'metadata', 'spec'] }),
  fc.record({
    apiVersion: fc.constant('extensions.agents.x-k8s.io/v1alpha1' as const), kind: fc.constant('SandboxClaim' as const), metadata,
    spec: fc.record({
      sandboxTemplateRef: opt(fc.record({ name }, omitting)), warmpool: opt(fc.oneof(fc.constantFrom('none', 'default', ''), name)),
      lifecycle, env: opt(fc.array(fc.record({ name: fc.constant('A'), value: fc.string({ maxLength: 3 }) }), { maxLength: 1 })),
      additionalPodMetadata: opt(fc.record({ labels: fc.constant({ team: 'a' }) })),
    }, omitting),
    status: claimStatus,
  }, { requiredKeys: ['apiVersion', 'kind', 'metadata', 'spec'] }),
) as fc.Arbitrary<AnyV1alpha1Object>;

const betaObjects: fc.Arbitrary<AnyV1beta1Object> = fc.oneof(
  fc.record({
    apiVersion: fc.constant('agents.x-k8s.io/v1beta1' as const), kind: fc.constant('Sandbox' as const), metadata,
    spec: fc.record({ ...blueprint, volumeClaimTemplates: opt(vcts), operatingMode: opt(fc.constantFrom('Running', 'Suspended') as fc.Arbitrary<'Running'>) }, { requiredKeys: ['podTemplate'] }),
    status: opt(fc.record({ podIPs, nodeName: fc.constant('kwok-node-0'), selector: fc.constant('x=y') }, omitting)),
  }, { requiredKeys: ['apiVersion', 'kind', 'metadata', 'spec'] }),
  fc.record({
    apiVersion: fc.constant('extensions.agents.x-k8s.io/v1beta1' as const), kind: fc.constant('SandboxTemplate' as const), metadata,
    spec: fc.record({ ...templateSpec, volumeClaimTemplatesPolicy: opt(fc.constantFrom('Disallowed', 'Allowed', 'Overrides')) }, { requiredKeys: ['podTemplate'] }),
  }),
  fc.record({
    apiVersion: fc.constant('extensions.agents.x-k8s.io/v1beta1' as const), kind: fc.constant('SandboxWarmPool' as const), metadata,
    spec: fc.record({ replicas: opt(fc.nat(5)), sandboxTemplateRef: fc.record({ name }) }, { requiredKeys: ['sandboxTemplateRef'] }),
    status: opt(fc.record({ replicas: fc.nat(5), observedGeneration: fc.nat(9) }, omitting)),
  }, { requiredKeys: ['apiVersion', 'kind', 'metadata', 'spec'] }),
  fc.record({
    apiVersion: fc.constant('extensions.agents.x-k8s.io/v1beta1' as const), kind: fc.constant('SandboxClaim' as const), metadata,
    spec: fc.record({ warmPoolRef: fc.record({ name }), lifecycle, volumeClaimTemplates: opt(vcts) }, { requiredKeys: ['warmPoolRef'] }),
    status: claimStatus,
  }, { requiredKeys: ['apiVersion', 'kind', 'metadata', 'spec'] }),
) as fc.Arbitrary<AnyV1beta1Object>;

// --- Properties.

/** An object as it travels: JSON has no undefined members. */
const wire = <T>(obj: T): T => JSON.parse(JSON.stringify(obj));

test('v1alpha1 -> v1beta1 -> v1alpha1 gives back the same object, or fails naming the field', () => {
  fc.assert(fc.property(alphaObjects.map(wire), (alpha) => {
    let beta: AnyV1beta1Object;
    try {
      beta = toV1beta1(alpha);
    } catch (err) {
      // Only a claim that names neither a pool nor a template cannot be converted.
      expect(err).toBeInstanceOf(ConversionError);
      expect((err as ConversionError).field).toBe('spec.sandboxTemplateRef.name');
      expect(alpha.kind).toBe('SandboxClaim');
      return;
    }
    expect(beta.apiVersion).toMatch(/\/v1beta1$/);
    expect(toV1alpha1(wire(beta))).toStrictEqual(alpha);
  }), { numRuns: 2000 });
});

test('v1beta1 -> v1alpha1 -> v1beta1 gives back the same object', () => {
  fc.assert(fc.property(betaObjects.map(wire), (beta) => {
    const alpha = toV1alpha1(beta);
    expect(alpha.apiVersion).toMatch(/\/v1alpha1$/);
    expect(toV1beta1(wire(alpha))).toStrictEqual(beta);
  }), { numRuns: 2000 });
});

// --- The mappings themselves.

const sandbox = (replicas?: number) => ({ apiVersion: 'agents.x-k8s.io/v1alpha1' as const, kind: 'Sandbox' as const, metadata: { name: 's', namespace: 'n' }, spec: { podTemplate, ...(replicas === undefined ? {} : { replicas }) } });
const claim = (spec: object) => ({ apiVersion: 'extensions.agents.x-k8s.io/v1alpha1' as const, kind: 'SandboxClaim' as const, metadata: { name: 'c', namespace: 'n' }, spec });

test('Sandbox replicas 0/1 are operatingMode Suspended/Running; other values name the field', () => {
  expect(toV1beta1(sandbox(0)).spec).toEqual({ podTemplate, operatingMode: 'Suspended' });
  expect(toV1beta1(sandbox(1)).spec).toEqual({ podTemplate, operatingMode: 'Running' });
  expect(toV1beta1(sandbox()).spec).toEqual({ podTemplate });
  expect(() => toV1beta1(sandbox(2))).toThrow('Sandbox n/s: spec.replicas: must be 0 (Suspended) or 1 (Running), got 2');
});

test('Sandbox status.replicas follows operatingMode and nodeName is kept for v1beta1', () => {
  const beta = { apiVersion: 'agents.x-k8s.io/v1beta1' as const, kind: 'Sandbox' as const, metadata: { name: 's' }, spec: { podTemplate, operatingMode: 'Suspended' as const }, status: { nodeName: 'n1', podIPs: [] } };
  const alpha = toV1alpha1(beta) as SandboxV1alpha1;
  expect(alpha.spec).toEqual({ podTemplate, replicas: 0 });
  expect(alpha.status).toEqual({ podIPs: [], replicas: 0 });
  expect(alpha.metadata.annotations).toEqual({ [V1BETA1_FIELDS_ANNOTATION]: '{"nodeName":"n1"}' });
});

test('a claim names its pool through warmpool, or through its template when warmpool is none/default/unset', () => {
  const specific = toV1beta1(claim({ sandboxTemplateRef: { name: 'py' }, warmpool: 'py-pool' }));
  expect(specific.spec).toEqual({ warmPoolRef: { name: 'py-pool' } });
  expect(JSON.parse(specific.metadata.annotations![V1ALPHA1_FIELDS_ANNOTATION])).toEqual({ choice: { sandboxTemplateRef: { name: 'py' }, warmpool: 'py-pool' } });
  const byTemplate = toV1beta1(claim({ sandboxTemplateRef: { name: 'py' }, warmpool: 'default' }));
  expect(byTemplate.spec).toEqual({ warmPoolRef: { name: 'py' } });
  // Only the pool name without other v1alpha1 fields needs no annotation.
  expect(toV1beta1(claim({ warmpool: 'py-pool' })).metadata.annotations).toBeUndefined();
  expect(() => toV1beta1(claim({ warmpool: 'none' }))).toThrow('SandboxClaim n/c: spec.sandboxTemplateRef.name: is required when spec.warmpool is "none"');
});

test('kept v1alpha1 claim fields that no longer name the pool are dropped as stale', () => {
  const beta = toV1beta1(claim({ sandboxTemplateRef: { name: 'py' }, warmpool: 'default' })) as AnyV1beta1Object & { spec: { warmPoolRef: { name: string } } };
  beta.spec.warmPoolRef.name = 'other-pool';
  expect(toV1alpha1(beta).spec).toEqual({ warmpool: 'other-pool' });
});

test('template volumeClaimTemplatesPolicy travels in an annotation on v1alpha1', () => {
  const beta = { apiVersion: 'extensions.agents.x-k8s.io/v1beta1' as const, kind: 'SandboxTemplate' as const, metadata: { name: 't' }, spec: { podTemplate, volumeClaimTemplatesPolicy: 'Allowed' as const } };
  expect(toV1alpha1(beta)).toEqual({
    apiVersion: 'extensions.agents.x-k8s.io/v1alpha1', kind: 'SandboxTemplate',
    metadata: { name: 't', annotations: { [V1BETA1_FIELDS_ANNOTATION]: '{"volumeClaimTemplatesPolicy":"Allowed"}' } }, spec: { podTemplate },
  });
});

test('a malformed kept-fields annotation names the annotation', () => {
  const bad = { ...sandbox(1), metadata: { name: 's', namespace: 'n', annotations: { [V1BETA1_FIELDS_ANNOTATION]: '{' } } };
  expect(() => toV1beta1(bad)).toThrow(`Sandbox n/s: metadata.annotations["${V1BETA1_FIELDS_ANNOTATION}"]: is not valid JSON`);
  bad.metadata.annotations[V1BETA1_FIELDS_ANNOTATION] = '[1]';
  expect(() => toV1beta1(bad)).toThrow('must be a JSON object');
});

test('convertObject checks kind, versions and spec, and leaves an object in the desired version alone', () => {
  const alpha = sandbox(1);
  expect(convertObject(alpha, 'agents.x-k8s.io/v1alpha1')).toBe(alpha);
  expect(convertObject(alpha, 'agents.x-k8s.io/v1beta1')).toMatchObject({ apiVersion: 'agents.x-k8s.io/v1beta1', spec: { operatingMode: 'Running' } });
  expect(() => convertObject({ ...alpha, kind: 'Pod' }, 'agents.x-k8s.io/v1beta1')).toThrow('Pod n/s: kind: is not one of Sandbox');
  expect(() => convertObject(alpha, 'extensions.agents.x-k8s.io/v1beta1')).toThrow('desiredAPIVersion: extensions.agents.x-k8s.io/v1beta1 is not one of agents.x-k8s.io/v1alpha1, agents.x-k8s.io/v1beta1');
  expect(() => convertObject({ ...alpha, apiVersion: 'agents.x-k8s.io/v2' }, 'agents.x-k8s.io/v1beta1')).toThrow('apiVersion: agents.x-k8s.io/v2 is not one of');
  expect(() => convertObject({ ...alpha, spec: undefined }, 'agents.x-k8s.io/v1beta1')).toThrow('Sandbox n/s: spec: is required');
});
