// Turns Kubernetes OpenAPI v3 component schemas into CRD structural schemas (what controller-gen emits
// for embedded core types), so our CRDs validate pod specs exactly like the API server validates Pods.

/** A JSON schema node as found in OpenAPI documents and CRDs. */
export type SchemaNode = { [key: string]: unknown };

const REF_PREFIX = '#/components/schemas/';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
// The quantity grammar controller-gen writes into CRDs.
const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** Keywords carried into the structural schema unchanged. */
const KEPT = ['type', 'format', 'description', 'required', 'enum', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type'];
/** Keywords that only matter to strategic merge patch or docs generators. */
const DROPPED = ['x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy', 'x-kubernetes-unions', 'x-kubernetes-group-version-kind', 'default', 'allOf', '$ref', 'properties', 'items', 'additionalProperties'];

/** Resolves component schemas by name into self-contained structural schemas. */
export class StructuralSchemaConverter {
  constructor(private readonly components: Record<string, SchemaNode>) {}

  /** The structural schema of component `name`, with every reference inlined. */
  convertComponent(name: string): SchemaNode {
    return this.convertRef(name, [], undefined);
  }

  private convertRef(name: string, stack: string[], description: unknown): SchemaNode {
    if (name === QUANTITY) {
      return withDescription({ anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: QUANTITY_PATTERN, 'x-kubernetes-int-or-string': true }, description);
    }
    if (name === INT_OR_STRING) {
      return withDescription({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true }, description);
    }
    if (stack.includes(name)) throw new Error(`recursive schema ${[...stack, name].join(' -> ')} cannot be inlined`);
    const component = this.components[name];
    if (!component) throw new Error(`OpenAPI component ${name} not found`);
    const converted = this.convert(component, [...stack, name]);
    return description === undefined ? converted : { ...converted, description };
  }

  /** Raw (unconverted) properties of an array's item type, to read original defaults from. */
  private itemProperties(node: SchemaNode): Record<string, SchemaNode> {
    const items = node.items as SchemaNode;
    const ref = referenceOf(items);
    const target = ref ? this.components[ref] : items;
    return (target?.properties as Record<string, SchemaNode> | undefined) ?? {};
  }

  private convert(node: SchemaNode, stack: string[]): SchemaNode {
    const ref = referenceOf(node);
    if (ref) return this.convertRef(ref, stack, node.description);
    const unknown = Object.keys(node).filter((k) => !KEPT.includes(k) && !DROPPED.includes(k));
    if (unknown.length > 0) throw new Error(`unsupported schema keywords ${unknown.join(', ')} in ${stack.join(' -> ')}`);

    const out: SchemaNode = {};
    for (const key of KEPT) if (node[key] !== undefined) out[key] = node[key];
    // Defaults: keep only meaningful scalar ones (e.g. protocol: TCP). Go's zero-value defaults ("", {}, 0)
    // would make the API server write empty fields into every stored object.
    if (typeof node.default === 'string' && node.default !== '') out.default = node.default;
    if (node.properties) {
      out.properties = Object.fromEntries(
        Object.entries(node.properties as Record<string, SchemaNode>).map(([k, v]) => [k, this.convert(v, [...stack, k])]),
      );
    }
    if (node.items) out.items = this.convert(node.items as SchemaNode, [...stack, '[]']);
    if (Array.isArray(node['x-kubernetes-list-map-keys'])) keepKeyDefaults(out.items as SchemaNode, node['x-kubernetes-list-map-keys'] as string[], this.itemProperties(node));
    if (node.additionalProperties) out.additionalProperties = this.convert(node.additionalProperties as SchemaNode, [...stack, '{}']);
    if (out.type === 'object' && !out.properties && !out.additionalProperties) out['x-kubernetes-preserve-unknown-fields'] = true;
    return out;
  }
}

/**
 * The API server demands that list-map keys be required or defaulted; Go zero-value defaults are the
 * ones upstream relies on there (e.g. imagePullSecrets[].name: ""), so restore them on keys only.
 */
function keepKeyDefaults(items: SchemaNode, keys: string[], source: Record<string, SchemaNode>): void {
  const properties = items.properties as Record<string, SchemaNode> | undefined;
  const required = (items.required as string[] | undefined) ?? [];
  for (const key of keys) {
    const original = source[key]?.default;
    if (properties?.[key] && !required.includes(key) && properties[key].default === undefined && original !== undefined) {
      properties[key].default = original;
    }
  }
}

function referenceOf(node: SchemaNode): string | undefined {
  const direct = node.$ref as string | undefined;
  const viaAllOf = Array.isArray(node.allOf) && node.allOf.length === 1 ? (node.allOf[0] as SchemaNode).$ref as string : undefined;
  const ref = direct ?? viaAllOf;
  if (Array.isArray(node.allOf) && !viaAllOf) throw new Error('allOf with more than one member is not supported');
  if (!ref) return undefined;
  if (!ref.startsWith(REF_PREFIX)) throw new Error(`unsupported reference ${ref}`);
  return ref.slice(REF_PREFIX.length);
}

function withDescription(schema: SchemaNode, description: unknown): SchemaNode {
  return description === undefined ? schema : { ...schema, description };
}
