import { existsSync, readFileSync } from 'node:fs';
import { StructuralSchemaConverter } from '../../../lib/api/crds/k8s-openapi';
import { GENERATED_SCHEMAS_PATH, generateK8sSchemas, openApiDirectory } from '../../../lib/api/crds/generate-k8s-schemas';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe('StructuralSchemaConverter', () => {
  const components = {
    Pod: {
      type: 'object',
      required: ['containers'],
      properties: {
        containers: { type: 'array', items: { allOf: [ref('Container')], default: {} }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-patch-merge-key': 'name' },
        port: { allOf: [ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString')], description: 'port field' },
        limits: { type: 'object', additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') },
        opaque: { type: 'object' },
      },
    },
    Container: {
      type: 'object', description: 'type doc',
      properties: { name: { type: 'string', default: '' }, protocol: { type: 'string', default: 'TCP' }, size: { type: 'integer', default: 0 } },
    },
    Loop: { type: 'object', properties: { next: ref('Loop') } },
    Odd: { type: 'object', oneOf: [{ type: 'string' }] },
  };
  const converter = new StructuralSchemaConverter(components);

  test('inlines references and keeps list semantics', () => {
    // WHEN
    const pod = converter.convertComponent('Pod') as any;
    // THEN references are inlined, patch hints dropped, list-map keys defaulted like upstream
    expect(pod.properties.containers['x-kubernetes-list-map-keys']).toEqual(['name']);
    expect(pod.properties.containers['x-kubernetes-patch-merge-key']).toBeUndefined();
    expect(pod.properties.containers.items.properties.name.default).toBe('');
    expect(pod.properties.containers.items.properties.protocol.default).toBe('TCP');
    expect(pod.properties.containers.items.properties.size.default).toBeUndefined();
  });

  test('int-or-string, quantities and opaque objects become structural', () => {
    const pod = converter.convertComponent('Pod') as any;
    expect(pod.properties.port).toEqual({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true, description: 'port field' });
    const quantity = new RegExp(pod.properties.limits.additionalProperties.pattern);
    expect(['1Gi', '500m', '2', '1.5e3'].every((q) => quantity.test(q))).toBe(true);
    expect(['1GB', 'lots', '1..5'].some((q) => quantity.test(q))).toBe(false);
    expect(pod.properties.opaque['x-kubernetes-preserve-unknown-fields']).toBe(true);
  });

  test('fails loudly on recursion, unknown keywords and missing components', () => {
    expect(() => converter.convertComponent('Loop')).toThrow(/recursive schema Loop -> next -> Loop/);
    expect(() => converter.convertComponent('Odd')).toThrow(/unsupported schema keywords oneOf in Odd/);
    expect(() => converter.convertComponent('Nope')).toThrow(/component Nope not found/);
  });
});

test('generated k8s schemas are up to date with the Kubernetes OpenAPI documents', () => {
  const dir = openApiDirectory();
  // The Go module cache holds the documents once test/cluster/tools/build-kube.sh has run (CI always runs it).
  expect(existsSync(dir)).toBe(true);
  expect(readFileSync(GENERATED_SCHEMAS_PATH, 'utf8')).toBe(generateK8sSchemas(dir));
});
