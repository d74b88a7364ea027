// Test support: validates plain objects against the Kubernetes OpenAPI (swagger.json of the pinned
// Kubernetes release) and against CRD openAPIV3Schemas, with unknown fields rejected (as the API
// server's strict field validation does) so misspelt fields fail tests.

import Ajv, { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1';
import { swaggerPath } from '../../../scripts/import';

type Schema = { [key: string]: unknown };

/** Adds additionalProperties: false to every object schema that lists its properties. */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (!node || typeof node !== 'object') return;
  const schema = node as Schema;
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) schema.additionalProperties = false;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') Object.values(value as Schema).forEach(closeObjects);
    else if (key !== 'enum' && key !== 'default' && key !== 'required') closeObjects(value);
  }
}

const newAjv = () => new Ajv({ strict: false, allErrors: true, validateFormats: false });

function describeErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`);
}

/** Validators for built-in kinds, keyed `apiVersion/kind`. */
export function builtInValidators(): Map<string, ValidateFunction> {
  const definitions = JSON.parse(readFileSync(swaggerPath(), 'utf8')).definitions as Record<string, Schema>;
  // swagger.json types these as plain strings; the API server accepts numbers too.
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { anyOf: [{ type: 'string' }, { type: 'number' }] };
  closeObjects(Object.values(definitions));
  const ajv = newAjv();
  ajv.addSchema({ definitions }, 'k8s');
  const validators = new Map<string, ValidateFunction>();
  for (const [name, def] of Object.entries(definitions)) {
    for (const gvk of (def['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }> | undefined) ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      if (!validators.has(`${apiVersion}/${gvk.kind}`)) validators.set(`${apiVersion}/${gvk.kind}`, ajv.getSchema(`k8s#/definitions/${name}`)!);
    }
  }
  return validators;
}

/** Validators for the kinds defined by `crds`, keyed `apiVersion/kind`. */
export function crdValidators(crds: readonly CustomResourceDefinition[]): Map<string, ValidateFunction> {
  const ajv = newAjv();
  const validators = new Map<string, ValidateFunction>();
  for (const crd of crds) {
    for (const version of crd.spec.versions) {
      const schema = structuredClone(version.schema!.openAPIV3Schema) as Schema;
      closeObjects(schema);
      validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
    }
  }
  return validators;
}

/** Schema errors of `obj` ("no schema" when its kind is unknown to both sets). */
export function schemaErrors(obj: { apiVersion?: string; kind?: string }, ...sets: Map<string, ValidateFunction>[]): string[] {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const validate = sets.map((s) => s.get(key)).find((v) => v !== undefined);
  if (!validate) return [`no schema for ${key}`];
  return validate(obj) ? [] : describeErrors(validate);
}
