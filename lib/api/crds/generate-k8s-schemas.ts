// Regenerates lib/api/generated/k8s-schemas.json from the Kubernetes OpenAPI v3 documents in the Go
// module cache (k8s.io/kubernetes, downloaded by test/cluster/tools/build-kube.sh). Run: npm run generate:schemas

import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaNode, StructuralSchemaConverter } from './k8s-openapi';
import { EMBEDDED_K8S_SCHEMAS, K8S_SCHEMA_SOURCE_VERSION } from './embedded-schemas';

export const GENERATED_SCHEMAS_PATH = join(__dirname, '..', 'generated', 'k8s-schemas.json');

/** Directory of the OpenAPI v3 documents for the pinned Kubernetes version, if the module is cached. */
export function openApiDirectory(): string {
  const modCache = process.env.GOMODCACHE || execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  return join(modCache, `k8s.io/kubernetes@${K8S_SCHEMA_SOURCE_VERSION}`, 'api', 'openapi-spec', 'v3');
}

/** Builds the generated file's content from the OpenAPI documents in `dir`. */
export function generateK8sSchemas(dir: string): string {
  const components: Record<string, SchemaNode> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    Object.assign(components, JSON.parse(readFileSync(join(dir, file), 'utf8')).components?.schemas ?? {});
  }
  const converter = new StructuralSchemaConverter(components);
  const schemas = Object.fromEntries(Object.entries(EMBEDDED_K8S_SCHEMAS).map(([key, name]) => [key, converter.convertComponent(name)]));
  return `${JSON.stringify({ source: `k8s.io/kubernetes@${K8S_SCHEMA_SOURCE_VERSION}`, schemas }, null, 1)}\n`;
}

if (require.main === module) {
  writeFileSync(GENERATED_SCHEMAS_PATH, generateK8sSchemas(openApiDirectory()));
  console.log(`wrote ${GENERATED_SCHEMAS_PATH}`);
}
