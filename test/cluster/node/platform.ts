// The platform as a user deploys it on the real node, shared by `npm run playground`, the as-deployed node tests
// and the real-node bench: our images loaded into the node's containerd (no registry here), then the platform
// chart `npm run synth` writes into dist/ applied server-side, CRDs first and once they are Established.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_SYSTEM_NAMESPACE } from '../../../lib/api';
import { CONTROLLER_NAME } from '../../../lib/builders/controller-deployment';
import { ROUTER_NAME } from '../../../lib/builders/router';
import { buildImage, controllerRecipe, importImages, runtimeRecipe, type ImageArchive, type ImageRecipe } from '../images/images';
import { applyServerSide, kubectl } from '../harness/kubectl';
import { nodePaths } from '../plane/node/configs';
import { nodeDir } from '../plane/node/node';
import { realNodeClusterDir } from '../plane/plane';
import { nodeBinaries } from '../plane/tools';

export const repoRoot = join(__dirname, '..', '..', '..');
export const distDir = join(repoRoot, 'dist');
/** The chart of dist/ that holds the CRDs, the controller, the router and the RuntimeClasses (cdk8s prefixes apply order). */
const platformChartFile = /^\d+-platform\.k8s\.yaml$/;

/** Builds (or reuses) the images and imports them into the real node's containerd, where kubelet finds them. */
export function loadImagesIntoNode(recipes: readonly ImageRecipe[] = [controllerRecipe, runtimeRecipe]): ImageArchive[] {
  const images = recipes.map((recipe) => buildImage(recipe));
  importImages(nodePaths(nodeDir(realNodeClusterDir)).containerdSocket, images, nodeBinaries().ctr);
  return images;
}

export interface PlatformChart {
  /** File name in dist/. */
  file: string;
  /** Every chart of dist/ but the platform's (the example teams). */
  otherCharts: string[];
  /** The CustomResourceDefinitions, as YAML documents, and their names. */
  crds: string[];
  crdNames: string[];
  /** Everything else, in file order. */
  rest: string[];
}

/** Reads dist/'s platform chart, split into CRDs and the rest. Throws when dist/ has none. */
export function readPlatformChart(dir = distDir): PlatformChart {
  const charts = readdirSync(dir).filter((file) => file.endsWith('.k8s.yaml')).sort();
  const file = charts.find((name) => platformChartFile.test(name));
  if (!file) throw new Error(`dist/ has no platform chart (files: ${charts.join(', ') || 'none'}); did npm run synth change?`);
  const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8')).filter((doc) => doc.contents !== null);
  const isCrd = (doc: (typeof docs)[number]) => doc.get('kind') === 'CustomResourceDefinition';
  return {
    file,
    otherCharts: charts.filter((name) => name !== file),
    crds: docs.filter(isCrd).map(String),
    crdNames: docs.filter(isCrd).map((doc) => String(doc.getIn(['metadata', 'name']))),
    rest: docs.filter((doc) => !isCrd(doc)).map(String),
  };
}

/** `npm run synth`, as a user runs it. */
export async function synth(): Promise<void> {
  await promisify(execFile)('npm', ['run', '--silent', 'synth'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
}

/**
 * Deploys the synthesized platform on the plane the harness points at (admin kubeconfig: the installer) and waits
 * until the controller and the router Deployments are rolled out. Idempotent: a deployed platform is re-applied.
 */
export async function deploySynthesizedPlatform(): Promise<PlatformChart> {
  loadImagesIntoNode();
  await synth();
  const chart = readPlatformChart();
  await applyServerSide(chart.crds.join('---\n'));
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...chart.crdNames.map((name) => `crd/${name}`)]);
  await applyServerSide(chart.rest.join('---\n'));
  for (const deployment of [CONTROLLER_NAME, ROUTER_NAME]) {
    await kubectl(['rollout', 'status', '-n', DEFAULT_SYSTEM_NAMESPACE, `deployment/${deployment}`, '--timeout=300s']);
  }
  return chart;
}
