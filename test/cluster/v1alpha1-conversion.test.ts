// v1alpha1 as upstream users write it: objects of all four kinds apply with kubectl, are stored as v1beta1 through
// the controller's conversion webhook (a process on loopback, reached by URL, with its self-managed certificate),
// reconcile, and read back as v1alpha1 exactly as they were created.
import { allCrds } from '../../lib/api/crds';
import { V1ALPHA1_FIELDS_ANNOTATION } from '../../lib/api/conversion';
import {
  getObject, installControllerIdentity, installCrds, kubectl, KubectlError, applyServerSide, startController, useTestNamespace,
  waitFor, waitForCondition, type ControllerProcess,
} from './harness';
import { freePorts } from './plane/ports';
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';

/** The certificate the webhook serves now. */
function servedCertificate(): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(new X509Certificate(socket.getPeerCertificate().raw));
      socket.end();
    });
    socket.once('error', reject);
  });
}

const ns = useTestNamespace('v1alpha1');
const podTemplate = { spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1' }] } };
const alpha = (group: string, kind: string, name: string, spec: object) => ({ apiVersion: `${group}/v1alpha1`, kind, metadata: { name, labels: { team: 'a' }, annotations: { 'example.com/owner': 'alice' } }, spec });
const EXT = 'extensions.agents.x-k8s.io';
const objects = [
  alpha(EXT, 'SandboxTemplate', 'python', { podTemplate }),
  // Named after its template: the pool a claim with warmpool "default" is served from.
  alpha(EXT, 'SandboxWarmPool', 'python', { replicas: 1, sandboxTemplateRef: { name: 'python' } }),
  alpha('agents.x-k8s.io', 'Sandbox', 'solo', { podTemplate, replicas: 1 }),
  alpha(EXT, 'SandboxClaim', 'by-template', { sandboxTemplateRef: { name: 'python' } }),
  alpha(EXT, 'SandboxClaim', 'by-pool', { sandboxTemplateRef: { name: 'python' }, warmpool: 'python' }),
];
const resource = (obj: { kind: string; apiVersion: string }, version: string) => `${obj.kind.toLowerCase()}.${version}.${obj.apiVersion.split('/')[0]}`;

// Short-lived certificates, so the last test sees one rotation (at two thirds of the validity, plus a 10 s grace).
const VALIDITY_S = 45;
let controller: ControllerProcess | undefined;
let port: number;

beforeAll(async () => {
  const kubeconfig = await installControllerIdentity();
  [port] = await freePorts(1);
  await applyServerSide(allCrds({ conversionWebhook: { url: `https://127.0.0.1:${port}/convert` } }) as object[]);
  controller = await startController({ kubeconfig, leaderElect: false, args: [`--conversion-webhook-bind-address=127.0.0.1:${port}`, `--conversion-webhook-cert-validity=${VALIDITY_S}s`] });
  // The controller issued its certificate and put its CA into every CRD.
  await waitFor('caBundle on the four CRDs', async () => {
    const crds = await Promise.all(allCrds().map((c) => getObject('crd', c.metadata!.name!)));
    return crds.every((c) => c?.spec.conversion.webhook.clientConfig.caBundle);
  });
}, 120_000);

afterAll(async () => {
  await controller?.stop();
  await installCrds();
});

test('v1alpha1 objects of every kind apply, are stored as v1beta1, reconcile and read back unchanged', async () => {
  const created = new Map<string, Record<string, any>>();
  for (const obj of objects) {
    created.set(obj.metadata.name + obj.kind, JSON.parse(await kubectl(['create', '-n', ns.name, '-o', 'json', '-f', '-'], { stdin: JSON.stringify(obj) })));
  }
  // Stored and served as v1beta1, with the fields mapped.
  const beta = (kind: string, name: string) => getObject(resource({ kind, apiVersion: `${kind === 'Sandbox' ? 'agents.x-k8s.io' : EXT}/x` }, 'v1beta1'), name, { namespace: ns.name });
  expect((await beta('Sandbox', 'solo'))?.spec.operatingMode).toBe('Running');
  expect((await beta('SandboxWarmPool', 'python'))?.spec.replicas).toBe(1);
  const byTemplate = await beta('SandboxClaim', 'by-template');
  expect(byTemplate?.spec.warmPoolRef).toEqual({ name: 'python' });
  expect(JSON.parse(byTemplate?.metadata.annotations[V1ALPHA1_FIELDS_ANNOTATION])).toEqual({ choice: { sandboxTemplateRef: { name: 'python' }, warmpool: 'default' } });
  expect((await beta('SandboxClaim', 'by-pool'))?.spec.warmPoolRef).toEqual({ name: 'python' });

  // The controller (which reads only v1beta1) reconciles them.
  await waitForCondition('sandboxes', 'solo', 'Ready', { namespace: ns.name, timeoutMs: 60_000 });
  for (const claim of ['by-template', 'by-pool']) await waitForCondition('sandboxclaims', claim, 'Ready', { namespace: ns.name, timeoutMs: 60_000 });

  // Read back as v1alpha1: the spec and metadata the user created, and the v1beta1 status mapped in.
  for (const obj of objects) {
    const now = await getObject(resource(obj, 'v1alpha1'), obj.metadata.name, { namespace: ns.name });
    const before = created.get(obj.metadata.name + obj.kind)!;
    expect(now?.apiVersion).toBe(obj.apiVersion);
    expect(now?.spec).toEqual(before.spec);
    // The controller adds labels and annotations of its own (template hash, pod name); the user's stay, and the
    // v1alpha1 fields kept on the stored v1beta1 object never show in the v1alpha1 view.
    expect(now?.metadata.labels).toMatchObject({ team: 'a' });
    expect(now?.metadata.annotations).toMatchObject({ 'example.com/owner': 'alice' });
    expect(now?.metadata.annotations).not.toHaveProperty([V1ALPHA1_FIELDS_ANNOTATION]);
  }
  const claim = await getObject(resource(objects[3], 'v1alpha1'), 'by-template', { namespace: ns.name });
  expect(claim?.status.sandbox.name).toMatch(/^python-/);
  expect((await getObject(resource(objects[2], 'v1alpha1'), 'solo', { namespace: ns.name }))?.status.replicas).toBe(1);
}, 180_000);

test('v1alpha1 replicas 0 suspends the sandbox (operatingMode Suspended)', async () => {
  await kubectl(['patch', 'sandboxes.v1alpha1.agents.x-k8s.io', 'solo', '-n', ns.name, '--type=merge', '-p', '{"spec":{"replicas":0}}']);
  expect((await getObject('sandboxes.v1beta1.agents.x-k8s.io', 'solo', { namespace: ns.name }))?.spec.operatingMode).toBe('Suspended');
  await waitFor('pod of solo deleted', async () => !(await getObject('pods', 'solo', { namespace: ns.name })));
}, 60_000);

test('a v1alpha1 object that cannot be converted is refused with the field named', async () => {
  const orphan = alpha(EXT, 'SandboxClaim', 'orphan', { warmpool: 'none' });
  const err = await kubectl(['create', '-n', ns.name, '-f', '-'], { stdin: JSON.stringify(orphan) }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(KubectlError);
  expect(String((err as Error).message)).toContain('spec.sandboxTemplateRef.name: is required when spec.warmpool is "none"');
});

test('the self-managed certificate is rotated, its CA is in caBundle, and conversions keep working', async () => {
  const before = (await servedCertificate()).fingerprint256;
  const rotated = await waitFor('a new serving certificate', async () => {
    const now = await servedCertificate();
    return now.fingerprint256 !== before && now;
  }, { timeoutMs: VALIDITY_S * 1000, intervalMs: 1000 });
  const crd = await getObject('crd', 'sandboxes.agents.x-k8s.io');
  const bundle = Buffer.from(crd?.spec.conversion.webhook.clientConfig.caBundle, 'base64').toString('utf8');
  const cas = (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
  expect(cas.some((ca) => rotated.verify(ca.publicKey))).toBe(true);
  expect((await getObject('sandbox.v1alpha1.agents.x-k8s.io', 'solo', { namespace: ns.name }))?.spec.replicas).toBe(0);
}, 90_000);
