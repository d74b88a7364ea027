// Release manifests for installing without cdk8s or Pulumi, from the same builders as the constructs (upstream ships
// manifest.yaml and extensions.yaml the same way):
//   manifest.yaml    the Sandbox CRD and the controller (namespace, RBAC, Deployment, Service, PDB)
//   extensions.yaml  the SandboxTemplate/WarmPool/Claim CRDs, their RBAC, and the controller with --extensions
//   router.yaml      the sandbox router
//   crds.yaml        all four CRDs alone (for GitOps setups that manage CRDs apart)
// Run: npm run release [-- --out DIR --image REGISTRY/CONTROLLER:TAG]  (the image also carries the router)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { buildCrds, buildRouter, buildSystem, type Manifest } from '../lib/builders';

export interface ReleaseOptions {
  /** Controller (and router) image. @default the builders' default for this package version */
  readonly image?: string;
}

const keyOf = (obj: Manifest): string => `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;

/** The release files by name, each a list of objects in apply order. */
export function releaseManifests(options: ReleaseOptions = {}): Record<string, Manifest[]> {
  const { image } = options;
  const core = buildSystem({ installCrds: false, image, flags: { extensions: false } });
  const coreByKey = new Map(core.map((obj) => [keyOf(obj), JSON.stringify(obj)]));
  // Applied after manifest.yaml: only what extensions add or change (the Deployment gains --extensions).
  const extensions = buildSystem({ installCrds: false, image, flags: { extensions: true } }).filter((obj) => coreByKey.get(keyOf(obj)) !== JSON.stringify(obj));
  const crds = buildCrds();
  return {
    'manifest.yaml': [...buildCrds({ extensions: false }), ...core],
    'extensions.yaml': [...crds.slice(1), ...extensions],
    'router.yaml': buildRouter({ image }),
    'crds.yaml': crds,
  };
}

/** Writes the release files into `dir`; returns their paths. */
export function writeRelease(dir: string, options: ReleaseOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(releaseManifests(options)).map(([file, objects]) => {
    const path = join(dir, file);
    writeFileSync(path, objects.map((obj) => stringify(obj, { lineWidth: 0 })).join('---\n'));
    return path;
  });
}

if (require.main === module) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'release' }, image: { type: 'string' } } });
  for (const path of writeRelease(values.out!, { image: values.image })) console.log(path);
}
