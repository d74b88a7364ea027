// The synthesized example platform (what `npm run synth` writes to dist/) against a real API server:
// every object is accepted, the CRDs become Established, the teams' synthesized guardrail policy is
// enforced, and deleting a team namespace removes the team's objects.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { allCrds, SANDBOX, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL } from '../../lib/api';
import { buildPlatform } from '../../examples/platform/platform';
import { applyServerSide, getObject, kubectl, waitForCondition, waitForDeletion, waitForQuotaSynced, yamlStream } from './harness';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const teamNamespaces = ['analytics', 'browser'];

/** Synthesizes the example app as `npm run synth` does; returns each output file's objects, in apply order. */
function synthesize(): { file: string; objects: Manifest[] }[] {
  const outdir = mkdtempSync(join(tmpdir(), 'ask-synth-'));
  const app = new App({ outdir });
  buildPlatform(app);
  app.synth();
  return readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).sort().map((file) => ({
    file,
    objects: parseAllDocuments(readFileSync(join(outdir, file), 'utf8')).map((d) => d.toJS()).filter(Boolean) as Manifest[],
  }));
}

/** Waits out a team namespace left Terminating by an earlier run (applying into it would fail). */
async function namespaceGone(name: string): Promise<void> {
  await waitForDeletion('namespace', name, { timeoutMs: 90_000 });
}

const files = synthesize();

beforeAll(async () => {
  for (const ns of teamNamespaces) {
    if ((await getObject('namespace', ns))?.status?.phase === 'Terminating') await namespaceGone(ns);
  }
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', ...teamNamespaces, '--ignore-not-found', '--wait=false']);
});

test('server-side apply of every synthesized file succeeds, in order', async () => {
  expect(files.map((f) => f.file)).toEqual(['0000-platform.k8s.yaml', '0001-team-analytics.k8s.yaml', '0002-team-browser.k8s.yaml']);
  const [platform, ...teams] = files;
  await applyServerSide(platform.objects);
  // Custom resources of the team files need their CRDs served first.
  for (const crd of allCrds()) await waitForCondition('crd', crd.metadata!.name!, 'Established');
  for (const team of teams) await applyServerSide(team.objects);
  for (const ns of teamNamespaces) await waitForQuotaSynced(ns, 'sandboxes');
});

test('every synthesized object exists in the cluster', async () => {
  const objects = files.flatMap((f) => f.objects);
  expect(objects.length).toBeGreaterThan(30);
  // One `kubectl get -f -` over all of them: a missing object fails it with a NotFound naming the object.
  const found = await kubectl(['get', '-f', '-', '-o', 'name'], { stdin: yamlStream(objects) });
  expect(found.trim().split('\n')).toHaveLength(objects.length);
});

test("a team's synthesized policy rejects an image from outside its allowed registries", async () => {
  const template = await getObject(SANDBOX_TEMPLATE.plural, 'python-code-interpreter', { namespace: 'analytics' });
  const podTemplate = template!.spec.podTemplate;
  const sandbox = (image: string) => ({
    apiVersion: SANDBOX.apiVersion,
    kind: SANDBOX.kind,
    metadata: { name: 'from-template', namespace: 'analytics' },
    spec: { podTemplate: { ...podTemplate, spec: { ...podTemplate.spec, containers: [{ ...podTemplate.spec.containers[0], image }] } } },
  });
  await expect(applyServerSide([sandbox('ghcr.io/agent-sandbox-kit/runtime:0.1.0')], { dryRun: true })).resolves.toContain('serverside-applied');
  await expect(applyServerSide([sandbox('docker.io/library/python:3')], { dryRun: true }))
    .rejects.toThrow(/agent-sandbox-guardrails-analytics.*denied request: \[rule [^\]]+\] container images must come from an allowed registry/);
});

test('Pod Security restricted holds in team namespaces: the Pod the controller renders is admitted, a root one is not', async () => {
  const template = await getObject(SANDBOX_TEMPLATE.plural, 'python-code-interpreter', { namespace: 'analytics' });
  const spec = template!.spec.podTemplate.spec;
  const pod = (name: string, podSpec: object) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'analytics' }, spec: podSpec });
  // Admitted with the template's derived ephemeral-storage inside the LimitRange and quota.
  await expect(applyServerSide([pod('rendered', spec)], { dryRun: true })).resolves.toContain('serverside-applied');
  const root = { ...spec, securityContext: { ...spec.securityContext, runAsNonRoot: false, runAsUser: 0 } };
  await expect(applyServerSide([pod('as-root', root)], { dryRun: true })).rejects.toThrow(/violates PodSecurity "restricted:latest"/);
  expect((await getObject('namespace', 'agent-sandbox-system'))?.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
});

test('deleting a team namespace removes its template and warm pool', async () => {
  await kubectl(['delete', 'namespace', 'browser', '--wait=false']);
  await namespaceGone('browser');
  expect(await getObject(SANDBOX_TEMPLATE.plural, 'headless-chromium', { namespace: 'browser' })).toBeUndefined();
  expect(await getObject(SANDBOX_WARM_POOL.plural, 'headless-chromium', { namespace: 'browser' })).toBeUndefined();
});
