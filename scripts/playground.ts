// `npm run playground`: the product working on one machine. Starts the local plane with its real node, builds
// (or reuses) our images and loads them into the node's containerd, synthesizes dist/ and applies its platform
// chart as synthesized (CRDs first, then the rest, server-side), deploys the sandbox router and a gVisor demo
// team with a warm pool (examples/playground), waits until the controller is Available and the pool Ready, and
// prints the two commands to try. Each phase prints its name and time; a failure names the phase, what it
// waited for and the log to read. `npm run playground -- down` tears it all down.
import { execFile } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PLAYGROUND_POOL, PLAYGROUND_TEAM, PLAYGROUND_WARM_POOL_REPLICAS } from '../examples/playground/playground';
import { CONTROLLER_NAME } from '../lib/builders/controller-deployment';
import { DEFAULT_SYSTEM_NAMESPACE } from '../lib/api';
import { clusterDown, clusterUp, realNodeClusterDir } from '../test/cluster/plane/plane';
import { loadImagesIntoNode, readPlatformChart, repoRoot } from '../test/cluster/node/platform';

const log = join(realNodeClusterDir, 'playground.log');
const playgroundOut = join(realNodeClusterDir, 'playground');
const FIELD_MANAGER = 'agent-sandbox-playground';

/** A phase failure: what was being waited for and where to read more. */
class PhaseError extends Error {
  constructor(readonly waitedFor: string, message: string, readonly logFile = log) {
    super(message);
  }
}

const display = (path: string) => relative(process.cwd(), path) || '.';

async function phase<T>(name: string, body: () => T | Promise<T>): Promise<T> {
  const started = Date.now();
  process.stdout.write(`▸ ${name} … `);
  appendFileSync(log, `\n=== ${new Date().toISOString()} ${name}\n`);
  try {
    const result = await body();
    console.log(`${((Date.now() - started) / 1000).toFixed(1)}s`);
    return result;
  } catch (error) {
    console.log('failed');
    const waitedFor = error instanceof PhaseError ? error.waitedFor : name;
    const logFile = error instanceof PhaseError ? error.logFile : log;
    throw new Error(
      `playground: phase "${name}" failed after ${((Date.now() - started) / 1000).toFixed(1)}s waiting for ${waitedFor}:\n` +
        `  ${(error as Error).message.trim().split('\n').join('\n  ')}\n  log: ${display(logFile)}`,
    );
  }
}

/** Runs a command with its output appended to the playground log; rejects with its stderr's last lines. */
function runLogged(file: string, args: string[], options: { stdin?: string; waitedFor: string }): Promise<string> {
  appendFileSync(log, `$ ${file} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      appendFileSync(log, stdout + stderr);
      if (error) reject(new PhaseError(options.waitedFor, (stderr || error.message).trim().split('\n').slice(-5).join('\n')));
      else resolve(stdout);
    });
    child.stdin?.end(options.stdin ?? '');
  });
}

function kubectl(kubeconfig: string, args: string[], options: { stdin?: string; waitedFor: string }): Promise<string> {
  return runLogged('kubectl', ['--kubeconfig', kubeconfig, ...args], options);
}

// --force-conflicts: the plane may be one the node tests (or the bench) deployed the same platform on, under their
// own field manager; the playground takes the fields over instead of failing on the conflict.
const applyServerSide = (kubeconfig: string, yaml: string, waitedFor: string) =>
  kubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], { stdin: yaml, waitedFor });

async function up(): Promise<void> {
  const started = Date.now();
  mkdirSync(realNodeClusterDir, { recursive: true });
  writeFileSync(log, `npm run playground, ${new Date().toISOString()}\n`);
  console.log(`agent-sandbox-kit playground (log: ${display(log)})`);

  const plane = await phase('plane with a real node (containerd, runc, gVisor, kubelet, kube-proxy, CoreDNS)', async () => {
    try {
      return await clusterUp({ realNode: true });
    } catch (error) {
      // The plane's own message names the step and its component log; the directory holds them all.
      throw new PhaseError('the plane and its Node Ready', (error as Error).message, realNodeClusterDir);
    }
  });
  const { kubeconfig } = plane;

  await phase('images: build or reuse the controller and runtime images, import them into the node', () => {
    // A failed build or import names its image, its build log or containerd's socket.
    for (const image of loadImagesIntoNode()) appendFileSync(log, `${image.ref}: ${image.reused ? 'reused' : 'built'} ${image.archive} (${image.seconds}s)\n`);
  });

  await phase('npm run synth (dist/)', () => runLogged('npm', ['run', '--silent', 'synth'], { waitedFor: 'cdk8s synth of examples/platform' }));
  const { file: platformFile, otherCharts: exampleTeams, crds, crdNames, rest } = readPlatformChart();
  // The example platform's teams are sized for a cluster (a Kata pool, a gVisor pool of 5 at 350m CPU each with
  // the RuntimeClass overhead): on two cores they would crowd out the demo team, so they stay in dist/ only.
  if (exampleTeams.length > 0) console.log(`  (not applied: ${exampleTeams.map((file) => `dist/${file}`).join(', ')}: example teams sized for a cluster)`);

  await phase(`apply the CRDs of dist/${platformFile} and wait until Established`, async () => {
    await applyServerSide(kubeconfig, crds.join('---\n'), 'the API server to accept the CRDs');
    await kubectl(kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', ...crdNames.map((name) => `crd/${name}`)], {
      waitedFor: `CRDs Established (${crdNames.join(', ')})`,
    });
  });
  await phase(`apply the rest of dist/${platformFile} (controller, RBAC, RuntimeClasses)`, () =>
    applyServerSide(kubeconfig, rest.join('---\n'), 'the API server to accept the platform chart'));

  await phase('deploy the sandbox router and the demo team (examples/playground)', async () => {
    rmSync(playgroundOut, { recursive: true, force: true });
    await runLogged('npx', ['tsx', join('examples', 'playground', 'main.ts'), playgroundOut], { waitedFor: 'cdk8s synth of examples/playground' });
    const files = readdirSync(playgroundOut).filter((file) => file.endsWith('.k8s.yaml')).sort();
    for (const file of files) await applyServerSide(kubeconfig, readFileSync(join(playgroundOut, file), 'utf8'), `the API server to accept ${file}`);
  });

  await phase('wait for the controller Deployment Available', () =>
    kubectl(kubeconfig, ['wait', '-n', DEFAULT_SYSTEM_NAMESPACE, '--for=condition=Available', '--timeout=180s', `deployment/${CONTROLLER_NAME}`], {
      waitedFor: `Deployment ${DEFAULT_SYSTEM_NAMESPACE}/${CONTROLLER_NAME} Available (kubectl -n ${DEFAULT_SYSTEM_NAMESPACE} describe pods)`,
    }));
  await phase(`wait for the warm pool ${PLAYGROUND_TEAM}/${PLAYGROUND_POOL} Ready (${PLAYGROUND_WARM_POOL_REPLICAS} gVisor sandboxes)`, () =>
    kubectl(kubeconfig, [
      'wait', '-n', PLAYGROUND_TEAM, `--for=jsonpath={.status.readyReplicas}=${PLAYGROUND_WARM_POOL_REPLICAS}`, '--timeout=300s',
      `sandboxwarmpool/${PLAYGROUND_POOL}`,
    ], { waitedFor: `SandboxWarmPool ${PLAYGROUND_TEAM}/${PLAYGROUND_POOL} readyReplicas=${PLAYGROUND_WARM_POOL_REPLICAS} (kubectl -n ${PLAYGROUND_TEAM} get sandboxes,pods)` }));

  const cli = `npm run --silent agent-sandbox --`;
  const common = `--kubeconfig ${display(kubeconfig)} --namespace ${PLAYGROUND_TEAM}`;
  console.log(`\nplayground ready in ${((Date.now() - started) / 1000).toFixed(1)}s. Claim a warm sandbox and run Python in it (under gVisor):`);
  console.log(`  ${cli} claim ${common} --pool ${PLAYGROUND_POOL} --name demo`);
  console.log(`  ${cli} exec ${common} --claim demo -- python3 -c 'print(6*7)'`);
  console.log(`tear down: npm run playground -- down`);
}

async function down(): Promise<void> {
  const started = Date.now();
  await clusterDown({ only: 'real-node' });
  rmSync(playgroundOut, { recursive: true, force: true });
  console.log(`playground torn down (plane, real node, host restored) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

const command = process.argv[2] ?? 'up';
const main = command === 'up' ? up : command === 'down' ? down : undefined;
if (!main) {
  console.error(`usage: npm run playground [-- up | down] (got ${JSON.stringify(command)})`);
  process.exit(2);
}
main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
