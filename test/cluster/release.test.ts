// The kubectl install route exactly as the README says: its "release-install" block runs line by line with the plane's
// kubeconfig, then our kinds are usable and readable with the printer columns, short names and category.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminKubeconfig, applyServerSide, kubectl, useTestNamespace } from './harness';

jest.setTimeout(300_000);

const repo = join(__dirname, '..', '..');
const ns = useTestNamespace('release');

/** The commands between the README's release-install markers (comments stripped). */
function readmeInstallCommands(): string[] {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const block = /<!-- release-install:start -->\n```bash\n([\s\S]*?)```\n<!-- release-install:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no release-install block');
  return block[1]!.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

/** A release file's objects but its CRDs and Namespace, which other test files share. */
function releaseObjectsOtherFilesDoNotShare(file: string): string {
  const objects = readFileSync(join(repo, 'release', file), 'utf8');
  return objects.split(/^---\n/m).filter((doc) => !/^kind: (CustomResourceDefinition|Namespace)$/m.test(doc)).join('---\n');
}

async function deleteReleaseObjects(wait: boolean): Promise<void> {
  for (const file of ['router.yaml', 'extensions.yaml', 'manifest.yaml']) {
    await kubectl(['delete', '--ignore-not-found', `--wait=${wait}`, '-f', '-'], { stdin: releaseObjectsOtherFilesDoNotShare(file) });
  }
}

afterAll(() => deleteReleaseObjects(false));

test('the README\'s release commands install the CRDs, controller and router on a fresh cluster', async () => {
  const commands = readmeInstallCommands();
  expect(commands[0]).toMatch(/^npm run release/);
  const run = (command: string) => execFileSync('bash', ['-euo', 'pipefail', '-c', command], { cwd: repo, env: { ...process.env, KUBECONFIG: adminKubeconfig() }, stdio: 'pipe' });
  run(commands[0]!);
  // A fresh cluster as far as these objects go: other test files apply the controller's objects with their own field manager.
  await deleteReleaseObjects(true);
  for (const command of commands.slice(1)) run(command);
  const crds = JSON.parse(await kubectl(['get', '-f', join(repo, 'release', 'crds.yaml'), '-o', 'json'])) as { items: { status: { conditions: { type: string; status: string }[] } }[] };
  expect(crds.items).toHaveLength(4);
  for (const crd of crds.items) expect(crd.status.conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));
  const args = JSON.parse(await kubectl(['-n', 'agent-sandbox-system', 'get', 'deployment', 'agent-sandbox-controller', '-o', 'jsonpath={.spec.template.spec.containers[0].args}']));
  expect(args).toContain('--extensions=true');
  expect(await kubectl(['-n', 'agent-sandbox-system', 'get', 'deployment', 'sandbox-router', '-o', 'name'])).toBe('deployment.apps/sandbox-router\n');
});

test('objects of our kinds: one kubectl get for all, short names, template policies and pool counts as columns', async () => {
  await applyServerSide([
    { apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate', metadata: { name: 'python' },
      spec: { podTemplate: { spec: { containers: [{ name: 'c', image: 'registry.local/python:3' }] } }, envVarsInjectionPolicy: 'Allowed' } },
    { apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool', metadata: { name: 'python' },
      spec: { replicas: 3, sandboxTemplateRef: { name: 'python' } } },
  ], { namespace: ns.name });
  const all = await kubectl(['get', 'agent-sandbox', '-n', ns.name, '-o', 'name']);
  expect(all.trim().split('\n').sort()).toEqual(['sandboxtemplate.extensions.agents.x-k8s.io/python', 'sandboxwarmpool.extensions.agents.x-k8s.io/python']);
  const templates = (await kubectl(['get', 'sbxt', '-n', ns.name])).trim().split('\n');
  expect(templates[0]).toMatch(/^NAME\s+READY\s+NETWORK-POLICY\s+ENV-INJECTION\s+VOLUME-CLAIMS\s+AGE$/);
  expect(templates[1]).toMatch(/^python\s+(\S+\s+)?Managed\s+Allowed\s+Disallowed\s+\S+$/); // READY: the controller's, if one runs
  const pools = (await kubectl(['get', 'swp', '-n', ns.name])).trim().split('\n');
  expect(pools[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+TEMPLATE\s+AGE$/);
  expect(pools[1]).toMatch(/^python\s+3\s+/);
  expect(await kubectl(['get', 'sbx,sbxc', '-n', ns.name])).toBe('');
});
