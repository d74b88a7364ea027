// One Pulumi resource per Kubernetes object, typed classes for built-in kinds, foundations first,
// and Outputs threaded through pure builders.

import * as pulumi from '@pulumi/pulumi';
import { find, installMocks, registrations, settle, urnOf, valueOf } from './mocks';
import { kubernetesResources } from '../../../lib/pulumi/kubernetes-resource';
import { buildWithInputs } from '../../../lib/pulumi/deferred-inputs';

beforeAll(installMocks);
beforeEach(() => registrations.splice(0));

const objects = [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner', namespace: 'team-a' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
  {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
    kind: 'SandboxWarmPool',
    metadata: { name: 'python', namespace: 'team-a' },
    spec: { replicas: 5, sandboxTemplateRef: { name: 'python' } },
  },
];

test('each object becomes one resource: typed class for built-in kinds, CustomResource for ours', async () => {
  kubernetesResources(objects, {});
  await settle();
  expect(registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
    'kubernetes:core/v1:Namespace team-a',
    'kubernetes:core/v1:ServiceAccount team-a/runner',
    'kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxWarmPool team-a/python',
  ]);
  const pool = find('kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxWarmPool', 'team-a/python');
  expect(pool.inputs.spec).toEqual({ replicas: 5, sandboxTemplateRef: { name: 'python' } });
});

test('namespaces and CRDs are created before the objects that need them', async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'sandboxwarmpools.extensions.agents.x-k8s.io' },
    spec: { group: 'extensions.agents.x-k8s.io' },
  };
  kubernetesResources([...objects, crd], {});
  await settle();
  const namespace = urnOf('kubernetes:core/v1:Namespace', 'team-a');
  const crdUrn = urnOf('kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition', crd.metadata.name!);
  expect(find('kubernetes:core/v1:Namespace', 'team-a').dependencies).toEqual([]);
  for (const [type, name] of [
    ['kubernetes:core/v1:ServiceAccount', 'team-a/runner'],
    ['kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxWarmPool', 'team-a/python'],
  ]) {
    expect(find(type, name).dependencies.sort()).toEqual([namespace, crdUrn].sort());
  }
});

test('an object without a name is rejected naming its kind', () => {
  expect(() => kubernetesResources([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }], {})).toThrow(
    /ConfigMap without metadata.name/,
  );
});

test('Outputs reach the built objects through placeholders, plain values stay plain', async () => {
  const build = (props: { image: string; replicas: number }) => ({
    image: `registry.local/controller:${props.image}`,
    replicas: props.replicas,
    untouched: 'plain',
  });
  const built = buildWithInputs({ image: pulumi.output('v1.2.3'), replicas: 2 }, build);
  expect(pulumi.Output.isInstance(built.image)).toBe(true);
  expect(await valueOf(built.image as unknown as pulumi.Output<string>)).toBe('registry.local/controller:v1.2.3');
  expect(built.replicas).toBe(2);
  expect(built.untouched).toBe('plain');
  expect(buildWithInputs({ image: 'v1', replicas: 1 }, build)).toEqual(build({ image: 'v1', replicas: 1 }));
});
