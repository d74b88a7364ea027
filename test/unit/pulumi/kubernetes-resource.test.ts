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
  kubernetesResources(objects, 'test', {});
  await settle();
  expect(registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
    'kubernetes:core/v1:Namespace team-a',
    'kubernetes:core/v1:ServiceAccount team-a/runner',
    'kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxWarmPool team-a/python',
  ]);
  const pool = find('kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxWarmPool', 'team-a/python');
  expect(pool.inputs.spec).toEqual({ replicas: 5, sandboxTemplateRef: { name: 'python' } });
});

test('namespaces, CRDs and PriorityClasses are created before the objects that need them', async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'sandboxwarmpools.extensions.agents.x-k8s.io' },
    spec: { group: 'extensions.agents.x-k8s.io' },
  };
  const priorityClass = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'platform' }, value: 1000 };
  kubernetesResources([...objects, crd, priorityClass], 'test', {});
  await settle();
  const namespace = urnOf('kubernetes:core/v1:Namespace', 'team-a');
  const crdUrn = urnOf('kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition', crd.metadata.name!);
  const priorityClassUrn = urnOf('kubernetes:scheduling.k8s.io/v1:PriorityClass', 'platform');
  expect(find('kubernetes:core/v1:Namespace', 'team-a').dependencies).toEqual([]);
  expect(find('kubernetes:scheduling.k8s.io/v1:PriorityClass', 'platform').dependencies).toEqual([]);
  for (const [type, name] of [
    ['kubernetes:core/v1:ServiceAccount', 'team-a/runner'],
    ['kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxWarmPool', 'team-a/python'],
  ]) {
    expect(find(type, name).dependencies.sort()).toEqual([namespace, crdUrn, priorityClassUrn].sort());
  }
});

test('an object without a name is rejected naming its kind', () => {
  expect(() => kubernetesResources([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }], 'test', {})).toThrow(
    /ConfigMap without metadata.name/,
  );
});

const pool = (props: { namespace: string; image: string; replicas: number }) => {
  if (props.replicas > 10) throw new Error(`pool: replicas must be <= 10 (got ${props.replicas})`);
  return [{
    apiVersion: 'v1', kind: 'Pool', metadata: { name: 'python', namespace: props.namespace },
    spec: { image: `registry.local/agent:${props.image}`, replicas: props.replicas, seen: props.replicas, untouched: 'plain' },
  }];
};
const poolBuild = {
  component: 'Pool python', build: pool, guardrails: () => ({}),
  numbers: [{ arg: ['replicas'], standIn: 0, target: { kind: 'Pool', name: 'python', field: ['spec', 'replicas'] } }],
};
const specOf = (built: unknown[]) => (built[0] as { spec: Record<string, unknown> }).spec;

test('Outputs reach the built objects through stand-ins, plain values stay plain', async () => {
  const [built] = buildWithInputs({ namespace: 'team-a', image: pulumi.output('v1.2.3'), replicas: pulumi.output(7) }, poolBuild);
  const spec = specOf([built]);
  expect(await valueOf(spec.image as pulumi.Output<string>)).toBe('registry.local/agent:v1.2.3');
  expect(await valueOf(spec.replicas as pulumi.Output<number>)).toBe(7);
  // The builder saw the stand-in; only the declared target field carries the real count.
  expect(spec.seen).toBe(0);
  expect(spec.untouched).toBe('plain');
  expect(built.metadata.namespace).toBe('team-a');
  const plain = { namespace: 'team-a', image: 'v1', replicas: 1 };
  expect(buildWithInputs(plain, poolBuild)).toEqual(pool(plain));
});

test('a deferred value the builder rejects fails every field that carries it, with the builder\'s message', async () => {
  const built = buildWithInputs({ namespace: 'team-a', image: 'v1', replicas: pulumi.output(11) }, poolBuild);
  // A failed apply never calls later applies: the engine sees the rejection when it awaits the Output's
  // value, known-ness and secret-ness for the resource that carries it, as this does.
  const replicas = specOf(built).replicas as unknown as { promise(): Promise<number>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
  const settled = await Promise.allSettled([replicas.promise(), replicas.isKnown, replicas.isSecret]);
  for (const result of settled) {
    expect(result).toEqual({ status: 'rejected', reason: new Error('pool: replicas must be <= 10 (got 11)') });
  }
  expect(() => buildWithInputs({ namespace: 'team-a', image: 'v1', replicas: 11 }, poolBuild)).toThrow('got 11');
});

test('an object whose namespace is deferred is named after its component', async () => {
  const built = buildWithInputs({ namespace: pulumi.output('team-b'), image: 'v1', replicas: 1 }, poolBuild);
  kubernetesResources(built, 'pool-b', {});
  await settle();
  expect(registrations.map((r) => r.name)).toEqual(['pool-b/python']);
  expect(registrations[0].inputs.metadata.namespace).toBe('team-b');
});
