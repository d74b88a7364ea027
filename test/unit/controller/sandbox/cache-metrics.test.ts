import { ANNOTATION, LABEL } from '../../../../lib/api';
import { slimPod } from '../../../../lib/controller/shared/child-caches';
import { podNameHashIndex } from '../../../../lib/controller/sandbox/caches';
import { sandboxGaugeLabels } from '../../../../lib/controller/sandbox/gauge-labels';
import { sandbox } from '../fixtures';

test('pods are indexed by namespace/name-hash and cached slim', () => {
  const pod = {
    metadata: { name: 'p', namespace: 'ns', labels: { [LABEL.sandboxNameHash]: 'abc' }, managedFields: [{}], finalizers: ['x'] },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
    status: { phase: 'Running' },
  };
  expect(podNameHashIndex(pod)).toEqual(['ns/abc']);
  expect(podNameHashIndex({ metadata: { name: 'q', namespace: 'ns' } })).toEqual([]);
  expect(slimPod(pod)).toEqual({ metadata: { name: 'p', namespace: 'ns', labels: { [LABEL.sandboxNameHash]: 'abc' } }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } });
});

test('agent_sandboxes labels: readiness, expiry, launch type, template, owner kind, normalised created-by', () => {
  const sb = sandbox({}, {
    labels: { [LABEL.launchType]: 'warm', [LABEL.createdBy]: 'custom' },
    annotations: { [ANNOTATION.templateRef]: 'python' },
    ownerReferences: [{ apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim', name: 'c', uid: 'c', controller: true }],
  });
  sb.status = { conditions: [{ type: 'Ready', status: 'False', reason: 'SandboxExpired', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
  expect(sandboxGaugeLabels(sb)).toEqual({
    namespace: 'ns', ready_condition: 'false', expired: 'true', launch_type: 'warm', sandbox_template: 'python', owned_by: 'SandboxClaim', created_by: 'unknown',
  });
  expect(sandboxGaugeLabels(sandbox())).toMatchObject({ ready_condition: 'false', expired: 'false', launch_type: 'cold', sandbox_template: 'unknown', owned_by: 'None' });
});
