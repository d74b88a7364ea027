// The CrossGuard guardrail policy, exercised the way the policy pack runtime calls it: a resource's type
// token and inputs in, violations reported through a callback.

import type { ResourceValidation, ResourceValidationArgs } from '@pulumi/policy';
import { guardrailPolicy, objectOf } from '../../../lib/pulumi/policy';

const secureContainer = {
  name: 'agent', image: 'registry.local/python:3.12',
  resources: { limits: { cpu: '1', memory: '1Gi' } },
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
};

function validate(type: string, props: Record<string, unknown>, config: Record<string, unknown> = {}): string[] {
  const violations: string[] = [];
  const args = { type, props, urn: `urn:pulumi:dev::p::${type}::x`, name: 'x', getConfig: () => config } as unknown as ResourceValidationArgs;
  const validateResource = guardrailPolicy.validateResource as ResourceValidation;
  validateResource(args, (message: string) => violations.push(message));
  return violations;
}

const template = (container: object) => ({
  apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate',
  metadata: { name: 'python', namespace: 'team-a' },
  spec: { podTemplate: { spec: { runtimeClassName: 'gvisor', automountServiceAccountToken: false, containers: [container] } } },
});

test('a privileged SandboxTemplate written by hand is rejected with path and rule', () => {
  const privileged = { ...secureContainer, securityContext: { ...secureContainer.securityContext, privileged: true } };
  expect(validate('kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxTemplate', template(privileged))).toEqual([
    expect.stringMatching(/^SandboxTemplate team-a\/python: spec\.podTemplate\.spec\.containers\[0\]\.securityContext\.privileged: .*\[rule no-privileged\]$/),
  ]);
});

test('a secure template passes; a Deployment without a sandbox runtime class does not', () => {
  expect(validate('kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxTemplate', template(secureContainer))).toEqual([]);
  const deployment = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { template: { spec: { automountServiceAccountToken: false, containers: [secureContainer] } } },
  };
  expect(validate('kubernetes:apps/v1:Deployment', deployment).join('\n')).toMatch(/\[rule runtime-class\]/);
});

test('pack config selects the profile and limits, as the components do', () => {
  const pool = { metadata: { name: 'python', namespace: 'team-a' }, spec: { replicas: 40, sandboxTemplateRef: { name: 'python' } } };
  const type = 'kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxWarmPool';
  expect(validate(type, pool)).toEqual([]);
  expect(validate(type, pool, { maxWarmPoolReplicas: 10 })).toEqual([expect.stringMatching(/\[rule warm-pool-max-replicas\]$/)]);
});

test('non-Kubernetes resources are ignored and core/v1 maps to apiVersion v1', () => {
  expect(validate('aws:s3/bucket:Bucket', { spec: {} })).toEqual([]);
  expect(objectOf({ type: 'kubernetes:core/v1:Pod', props: { metadata: { name: 'p' }, spec: {} } })).toEqual({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {},
  });
});
