// Regenerates imports/ (typed cdk8s L1 classes) offline: our CRDs through cdk8s-cli's CRD importer, and the
// Kubernetes API through its k8s importer fed the swagger.json of the pinned Kubernetes release from the Go
// module cache instead of a GitHub download. Run: npm run import  (test/unit/imports checks it is current).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { allCrds, K8S_SCHEMA_SOURCE_VERSION } from '../lib/api';
import { openApiDirectory } from '../lib/api/crds/generate-k8s-schemas';

export const IMPORTS_DIR = join(__dirname, '..', 'imports');
/** The Kubernetes version the k8s module is generated from (same release as our embedded schemas). */
export const K8S_IMPORT_VERSION = K8S_SCHEMA_SOURCE_VERSION.replace(/^v/, '');

/** swagger.json (OpenAPI v2) of the pinned release, next to the v3 documents our CRD schemas come from. */
export const swaggerPath = () => join(openApiDirectory(), '..', 'swagger.json');

// cdk8s-cli's package "exports" hide its import modules; load them by file path.
const cliRoot = dirname(require.resolve('cdk8s-cli/package.json'));
const cli = (path: string) => require(join(cliRoot, 'lib', path));

interface Importer {
  import(options: { targetLanguage: string; outdir: string; save: boolean }): Promise<void>;
}

/** Writes k8s.ts, agents.x-k8s.io.ts and extensions.agents.x-k8s.io.ts into `outdir`. */
export async function generateImports(outdir: string): Promise<void> {
  const staging = mkdtempSync(join(tmpdir(), 'crds-'));
  try {
    const crdFile = join(staging, 'crds.yaml');
    writeFileSync(crdFile, allCrds().map((crd) => stringify(crd)).join('---\n'));
    const crds: Importer = await cli('import/crd').ImportCustomResourceDefinition.fromSpec({ source: crdFile });
    await crds.import({ targetLanguage: 'typescript', outdir, save: false });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  await withLocalKubernetesSchema(async () => {
    const k8s: Importer = new (cli('import/k8s').ImportKubernetesApi)({ apiVersion: K8S_IMPORT_VERSION });
    await k8s.import({ targetLanguage: 'typescript', outdir, save: false });
  });
}

/** Serves the k8s importer's schema download from the local swagger.json; any other download fails. */
async function withLocalKubernetesSchema(run: () => Promise<void>): Promise<void> {
  const util = cli('util');
  const original = util.download;
  util.download = async (url: string) => {
    if (!url.endsWith(`/v${K8S_IMPORT_VERSION}/_definitions.json`)) throw new Error(`unexpected download ${url} (imports are generated offline)`);
    // Only the definitions, shaped like cdk8s's published _definitions.json: swagger.json types IntOrString
    // and Quantity as plain strings, but the API server takes numbers too, so they become string|number
    // unions (json2jsii renders IntOrString.fromNumber(8080), Quantity.fromString('1Gi')).
    const { definitions } = JSON.parse(readFileSync(swaggerPath(), 'utf8'));
    const stringOrNumber = (description: string) => ({ description, oneOf: [{ type: 'string' }, { type: 'number' }] });
    definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = stringOrNumber(definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].description);
    definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = stringOrNumber(definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].description);
    return JSON.stringify({ definitions });
  };
  try {
    await run();
  } finally {
    util.download = original;
  }
}

if (require.main === module) {
  generateImports(IMPORTS_DIR).then(() => console.log(`wrote ${IMPORTS_DIR}`), (e) => { console.error(e); process.exit(1); });
}
