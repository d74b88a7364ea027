import { ANNOTATION, LABEL } from '../../../../lib/api/metadata-keys';
import { nameHash } from '../../../../lib/api/name-hash';
import { adoptionPatch, buildColdSandbox, desiredPodMetadata, mapPatch, metadataSyncPatch } from '../../../../lib/controller/claim/bound-sandbox';
import { claim, member, template } from './fixtures';

describe('warm adoption patch', () => {
  test('one patch transfers ownership, drops pool labels and the evictability mark, and adds the claim pod metadata', () => {
    const c = claim({ additionalPodMetadata: { labels: { 'sandbox.users.io/run': 'r1' } } });
    c.metadata.annotations = { [ANNOTATION.traceContext]: '{"traceparent":"00-1"}' };
    const m = member('pool-abcde');
    const patch = adoptionPatch(c, m, 'python', desiredPodMetadata(c, template().spec.podTemplate.metadata));
    expect(patch).toEqual({
      metadata: {
        ownerReferences: [{ apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim', name: 'c1', uid: 'uid-c1', controller: true, blockOwnerDeletion: true }],
        labels: {
          [LABEL.claimUid]: 'uid-c1', [LABEL.templateRefHash]: nameHash('python'), [LABEL.createdBy]: 'python-client',
          [LABEL.warmPoolSandbox]: null, [LABEL.templateHash]: null, [LABEL.podTemplateHash]: null, [LABEL.launchType]: 'warm',
        },
        annotations: { [ANNOTATION.podName]: 'pool-abcde', [ANNOTATION.safeToEvict]: null, [ANNOTATION.traceContext]: '{"traceparent":"00-1"}' },
      },
      spec: { podTemplate: { metadata: { labels: { 'sandbox.users.io/run': 'r1' } } } },
    });
  });

  test('without additionalPodMetadata the pod template is untouched, so adoption does not change the generation', () => {
    const c = claim();
    const patch = adoptionPatch(c, member('pool-abcde'), 'python', desiredPodMetadata(c, template().spec.podTemplate.metadata));
    expect(patch).not.toHaveProperty('spec');
  });

  test('a claim without created-by removes the pool value', () => {
    const c = claim();
    delete c.metadata.labels;
    const patch = adoptionPatch(c, member('m'), 'python', desiredPodMetadata(c, template().spec.podTemplate.metadata)) as { metadata: { labels: Record<string, unknown> } };
    expect(patch.metadata.labels[LABEL.createdBy]).toBeNull();
  });
});

describe('metadata sync of a bound sandbox', () => {
  test('nothing to do right after adoption; a new additional label is patched in', () => {
    const c = claim();
    const meta = desiredPodMetadata(c, template().spec.podTemplate.metadata);
    const adopted = member('m');
    adopted.metadata.labels = { [LABEL.claimUid]: 'uid-c1', [LABEL.templateRefHash]: nameHash('python'), [LABEL.createdBy]: 'python-client', [LABEL.launchType]: 'warm' };
    adopted.spec.podTemplate.metadata = meta;
    expect(metadataSyncPatch(c, adopted, 'python', meta)).toBeUndefined();
    const edited = claim({ additionalPodMetadata: { annotations: { owner: 'me' } } });
    expect(metadataSyncPatch(edited, adopted, 'python', desiredPodMetadata(edited, template().spec.podTemplate.metadata)))
      .toEqual({ spec: { podTemplate: { metadata: { annotations: { owner: 'me' } } } } });
  });

  test('missing launch-type is derived from the name', () => {
    const c = claim();
    const meta = desiredPodMetadata(c, template().spec.podTemplate.metadata);
    const cold = buildColdSandbox(c, template(), meta);
    delete cold.metadata.labels![LABEL.launchType];
    expect(metadataSyncPatch(c, cold, 'python', meta)).toEqual({ metadata: { labels: { [LABEL.launchType]: 'cold' } } });
  });
});

describe('cold sandbox', () => {
  test('named like the claim, owned by it, template blueprint with env, VCTs, metadata and secure defaults', () => {
    const c = claim({ env: [{ name: 'TOKEN', value: 't' }], additionalPodMetadata: { labels: { 'sandbox.users.io/run': 'r1' } } });
    const t = template({ envVarsInjectionPolicy: 'Allowed', service: true, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] });
    const s = buildColdSandbox(c, t, desiredPodMetadata(c, t.spec.podTemplate.metadata));
    expect(s.metadata).toEqual({
      name: 'c1', namespace: 'team-a',
      labels: { [LABEL.claimUid]: 'uid-c1', [LABEL.launchType]: 'cold', [LABEL.templateRefHash]: nameHash('python'), [LABEL.createdBy]: 'python-client' },
      annotations: { [ANNOTATION.templateRef]: 'python', [ANNOTATION.podName]: 'c1' },
      ownerReferences: [expect.objectContaining({ kind: 'SandboxClaim', uid: 'uid-c1', controller: true })],
    });
    expect(s.spec.podTemplate.metadata).toEqual({
      labels: { app: 'agent', 'sandbox.users.io/run': 'r1' },
      annotations: { note: 'from-template' },
    });
    expect(s.spec.podTemplate.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'x' }, { name: 'TOKEN', value: 't' }]);
    expect(s.spec.podTemplate.spec.automountServiceAccountToken).toBe(false);
    expect(s.spec.podTemplate.spec.dnsPolicy).toBe('None');
    expect(s.spec.volumeClaimTemplates).toEqual([{ metadata: { name: 'data' }, spec: {} }]);
    expect(s.spec.service).toBe(true);
    expect(s.spec).not.toHaveProperty('shutdownTime');
  });

  test('a claim label conflicting with the template is a plain error', () => {
    const c = claim({ additionalPodMetadata: { annotations: { note: 'mine' } } });
    expect(() => desiredPodMetadata(c, template().spec.podTemplate.metadata)).toThrow(/metadata override conflict/);
  });
});

test('mapPatch sets changed keys and nulls removed ones', () => {
  expect(mapPatch({ a: '1', b: '2' }, { a: '1', c: '3' })).toEqual({ b: null, c: '3' });
  expect(mapPatch({ a: '1' }, { a: '1' })).toBeUndefined();
});
