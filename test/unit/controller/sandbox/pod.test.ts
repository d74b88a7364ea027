import { ANNOTATION, LABEL, nameHash } from '../../../../lib/api';
import { buildPod, podMetadataPatch } from '../../../../lib/controller/sandbox/pod';
import { sandbox } from '../fixtures';

const HASH = nameHash('box');
const poolRef = { apiVersion: 'extensions.agents.x-k8s.io/v1alpha1', kind: 'SandboxWarmPool', name: 'pool', uid: 'p', controller: true };
const claimRef = { apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim', name: 'c', uid: 'c', controller: true };

test('buildPod: name, filtered template metadata, managed labels, tracking annotations, controller ref', () => {
  const sb = sandbox({
    podTemplate: {
      metadata: {
        labels: { team: 'a', [LABEL.claimUid]: 'x', [LABEL.sandboxNameHash]: 'forged', 'extensions.agents.x-k8s.io/y': '1' },
        annotations: { note: 'n', [ANNOTATION.traceContext]: '{}', [ANNOTATION.podName]: 'other' },
      },
      spec: { containers: [{ name: 'main', image: 'img' }] },
    },
  }, { labels: { [LABEL.createdBy]: 'my-script', [LABEL.templateRefHash]: 'tpl', [LABEL.warmPoolSandbox]: 'wp' } });
  const pod = buildPod(sb);
  expect(pod.metadata?.name).toBe('box');
  expect(pod.metadata?.namespace).toBe('ns');
  // Not controlled by an extension: template-ref-hash and warm-pool stay off the Pod.
  expect(pod.metadata?.labels).toEqual({ team: 'a', [LABEL.sandboxNameHash]: HASH, [LABEL.createdBy]: 'unknown' });
  expect(pod.metadata?.annotations).toEqual({ note: 'n', [ANNOTATION.propagatedLabels]: 'team', [ANNOTATION.propagatedAnnotations]: 'note' });
  expect(pod.metadata?.ownerReferences).toEqual([
    { apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', name: 'box', uid: 'uid-box', controller: true, blockOwnerDeletion: true },
  ]);
});

test('buildPod: extension labels follow the Sandbox controller (warm-pool only while a SandboxWarmPool controls it)', () => {
  const labels = { [LABEL.templateRefHash]: 'tpl', [LABEL.warmPoolSandbox]: 'wp', [LABEL.createdBy]: 'python-client' };
  const pooled = buildPod(sandbox({}, { labels, ownerReferences: [poolRef] }));
  expect(pooled.metadata?.labels).toEqual({ [LABEL.sandboxNameHash]: HASH, [LABEL.templateRefHash]: 'tpl', [LABEL.warmPoolSandbox]: 'wp', [LABEL.createdBy]: 'python-client' });
  expect(pooled.metadata?.annotations).toEqual({});
  const claimed = buildPod(sandbox({}, { labels, ownerReferences: [claimRef] }));
  expect(claimed.metadata?.labels).toEqual({ [LABEL.sandboxNameHash]: HASH, [LABEL.templateRefHash]: 'tpl', [LABEL.createdBy]: 'python-client' });
});

test('safe-to-evict follows the pool: on while a pool controls a marked member, off once a claim adopts it', () => {
  const evictable = { [ANNOTATION.safeToEvict]: 'true' };
  const pooled = sandbox({}, { annotations: evictable, ownerReferences: [poolRef] });
  const pod = buildPod(pooled);
  expect(pod.metadata?.annotations).toEqual(evictable);
  expect(podMetadataPatch(pod, pooled)).toBeUndefined();
  // The adoption patch replaces the owner and drops the mark; the pod template is untouched.
  const adopted = sandbox({}, { ownerReferences: [claimRef] });
  expect(podMetadataPatch(pod, adopted)).toEqual({ metadata: { annotations: { [ANNOTATION.safeToEvict]: null } } });
  // An unmarked member (eviction disabled) never gets it.
  expect(buildPod(sandbox({}, { ownerReferences: [poolRef] })).metadata?.annotations).toEqual({});
});

test('safe-to-evict set by the template is an ordinary template key; plain Sandboxes are left alone', () => {
  const own = { metadata: { annotations: { [ANNOTATION.safeToEvict]: 'false' } }, spec: { containers: [{ name: 'main', image: 'img' }] } };
  const pooled = sandbox({ podTemplate: own }, { annotations: { [ANNOTATION.safeToEvict]: 'true' }, ownerReferences: [poolRef] });
  expect(buildPod(pooled).metadata?.annotations?.[ANNOTATION.safeToEvict]).toBe('false');
  const plainPod = buildPod(sandbox({}));
  plainPod.metadata!.annotations = { [ANNOTATION.safeToEvict]: 'true' };
  expect(podMetadataPatch(plainPod, sandbox({}))).toBeUndefined();
});

test('buildPod: volumeClaimTemplates become PVC volumes replacing same-name template volumes; the template is not mutated', () => {
  const sb = sandbox({
    podTemplate: { spec: { containers: [{ name: 'main', image: 'img' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'tmp', emptyDir: {} }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }, { metadata: { name: 'cache' }, spec: {} }],
  });
  const pod = buildPod(sb);
  expect(pod.spec?.volumes).toEqual([
    { name: 'tmp', emptyDir: {} },
    { name: 'data', persistentVolumeClaim: { claimName: 'data-box' } },
    { name: 'cache', persistentVolumeClaim: { claimName: 'cache-box' } },
  ]);
  expect(sb.spec.podTemplate.spec.volumes).toHaveLength(2);
  expect(sb.spec.podTemplate.spec.volumes?.[0]).toEqual({ name: 'data', emptyDir: {} });
});

describe('podMetadataPatch', () => {
  const withTemplate = (labels: Record<string, string>, annotations: Record<string, string> = {}, meta = {}) =>
    sandbox({ podTemplate: { metadata: { labels, annotations }, spec: { containers: [{ name: 'main', image: 'img' }] } } }, meta);

  test('nothing to do for a Pod built from the same Sandbox', () => {
    const sb = withTemplate({ a: '1' }, { n: 'x' }, { labels: { [LABEL.createdBy]: 'go-client' } });
    expect(podMetadataPatch(buildPod(sb), sb)).toBeUndefined();
  });

  test('copies changed keys, prunes keys that left the template, rewrites tracking annotations', () => {
    const pod = buildPod(withTemplate({ a: '1', gone: 'x' }, { n: 'x', old: 'y' }));
    pod.metadata!.labels!.userAdded = 'keep';
    const patch = podMetadataPatch(pod, withTemplate({ a: '2', b: '3' }, { n: 'x' }));
    expect(patch).toEqual({
      metadata: {
        labels: { a: '2', b: '3', gone: null },
        annotations: { old: null, [ANNOTATION.propagatedLabels]: 'a,b', [ANNOTATION.propagatedAnnotations]: 'n' },
      },
    });
  });

  test('removes the last tracked key and the then-empty tracking annotation', () => {
    const pod = buildPod(withTemplate({ a: '1' }));
    expect(podMetadataPatch(pod, withTemplate({}))).toEqual({
      metadata: { labels: { a: null }, annotations: { [ANNOTATION.propagatedLabels]: null } },
    });
  });

  test('forces the name hash, scrubs tracked system keys (safe-to-evict style leftovers), syncs extension labels and created-by', () => {
    const pod = buildPod(withTemplate({}));
    pod.metadata!.labels = { [LABEL.sandboxNameHash]: 'wrong', [LABEL.claimUid]: 'u', [LABEL.warmPoolSandbox]: 'wp', [LABEL.createdBy]: 'x' };
    pod.metadata!.annotations = { [ANNOTATION.propagatedLabels]: `${LABEL.claimUid},${LABEL.sandboxNameHash}` };
    const sb = withTemplate({}, {}, { labels: { [LABEL.templateRefHash]: 'tpl' }, ownerReferences: [claimRef] });
    expect(podMetadataPatch(pod, sb)).toEqual({
      metadata: {
        labels: { [LABEL.claimUid]: null, [LABEL.sandboxNameHash]: HASH, [LABEL.templateRefHash]: 'tpl', [LABEL.warmPoolSandbox]: null, [LABEL.createdBy]: null },
        annotations: { [ANNOTATION.propagatedLabels]: null },
      },
    });
  });

  test('adoption adds the controller reference and keeps other owner references', () => {
    const sb = withTemplate({});
    const pod = buildPod(sb);
    pod.metadata!.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm' }];
    expect(podMetadataPatch(pod, sb, true)?.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm' },
      { apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', name: 'box', uid: 'uid-box', controller: true, blockOwnerDeletion: true },
    ]);
  });
});
