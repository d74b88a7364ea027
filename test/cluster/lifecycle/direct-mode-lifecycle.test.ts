// Issue 19, SDK direct mode on the local plane, as a team agent with exactly the RBAC and admission policy TeamSandboxes
// synthesizes: calls and an open (silent) streamed command write the last-activity annotation at most once per
// interval; 20 concurrent calls to a suspended sandbox resume it with one patch and are all answered; a caller who may
// read but not patch the sandbox gets an error naming it and the missing permission, and does not wake it; the agents'
// policy still refuses any other annotation.
import type { Sandbox } from '../../../lib/api';
import { ANNOTATION } from '../../../lib/api';
import { teamBaseObjects } from '../../../lib/builders/team';
import { ResumeForbiddenError, SandboxClient, type SandboxHandle } from '../../../lib/client';
import { KubeClient, Resources } from '../../../lib/kube';
import { adminClient } from '../claims/fixtures';
import { RUNTIME_PORT, servePod, startControllerWithPool, type ServedPod } from '../data-path/fixtures';
import { AuditLog } from '../harness/audit-log';
import { applyServerSide, serviceAccountKubeconfig, useTestNamespace, waitFor, type ControllerProcess } from '../harness';

const ns = useTestNamespace('direct-life');
let admin: KubeClient;
let controller: ControllerProcess;
let agent: SandboxClient;
let agentKube: KubeClient;
const served = new Map<string, ServedPod>();
const agentUser = () => `system:serviceaccount:${ns.name}:agent`;

const getSandbox = (name: string) => admin.get<Sandbox>(Resources.sandboxes, ns.name, name);

async function serve(name: string): Promise<void> {
  await served.get(name)?.stop();
  const ip = await waitFor(`${name} has a pod IP`, async () => (await getSandbox(name)).status?.podIPs?.[0], { timeoutMs: 60_000, intervalMs: 50 });
  served.set(name, await servePod(ip));
}

async function suspend(name: string): Promise<void> {
  await admin.mergePatch(Resources.sandboxes, ns.name, name, { metadata: { annotations: { [ANNOTATION.suspendReason]: 'idle' } }, spec: { operatingMode: 'Suspended' } });
  await waitFor(`${name} pod gone`, async () => !(await admin.getOrUndefined(Resources.pods, ns.name, name)), { timeoutMs: 60_000 });
  await served.get(name)?.stop();
  served.delete(name);
}

const agentPatches = (writes: ReturnType<AuditLog['since']>, name: string) =>
  writes.filter((w) => w.user === agentUser() && w.resource === 'sandboxes' && w.verb === 'patch' && w.name === name && w.code === 200).length;

beforeAll(async () => {
  admin = await adminClient();
  // The team agents' Role, RoleBinding and Sandbox update policy, as TeamSandboxes synthesizes them for this namespace.
  const agentObjects = teamBaseObjects({ name: ns.name, agents: { serviceAccounts: ['agent'] } })
    .filter((o) => ['Role', 'RoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'].includes(o.kind) && /agents/.test(o.metadata.name));
  expect(agentObjects.map((o) => o.kind).sort()).toEqual(['Role', 'RoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
  const reader = { apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'reader', namespace: ns.name } };
  await applyServerSide([
    ...agentObjects as object[],
    ...['agent', 'reader'].map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns.name } })),
    { ...reader, kind: 'Role', rules: [
      { apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['extensions.agents.x-k8s.io'], resources: ['sandboxclaims'], verbs: ['get'] },
    ] },
    { ...reader, kind: 'RoleBinding', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns.name }] },
  ]);
  controller = await startControllerWithPool(ns.name, 'py', 2);
  const kubeconfig = await serviceAccountKubeconfig(ns.name, 'agent');
  agent = new SandboxClient({ kubeconfig, connection: { mode: 'direct', port: RUNTIME_PORT } });
  agentKube = await KubeClient.create({ kubeconfig });
}, 120_000);
afterAll(async () => {
  for (const pod of served.values()) await pod.stop();
  await agent?.close();
  agentKube?.close();
  await controller?.stop();
  admin?.close();
});

let sleepy: SandboxHandle;

test('calls and a silent streamed command mark the sandbox active: coalesced, at most one write per 15 s interval', async () => {
  const busy = await agent.createSandbox({ namespace: ns.name, warmPool: 'py', name: 'busy', idleTimeoutSeconds: 60, readyTimeoutMs: 60_000 });
  await serve(busy.address.sandbox);
  const audit = new AuditLog();
  const mark = audit.mark();
  await Promise.all(Array.from({ length: 30 }, (_, i) => busy.run(['echo', String(i)])));
  const streamStart = Date.now();
  // Silent for 35 s: the second interval's write can only come from the open stream.
  for await (const event of busy.runStream(['sleep', '35'])) if (event.type === 'exit') expect(event.exit_code).toBe(0);
  const writes = agentPatches(audit.since(mark), busy.address.sandbox);
  expect(writes).toBeGreaterThanOrEqual(2);
  expect(writes).toBeLessThanOrEqual(3);
  const at = Date.parse((await getSandbox(busy.address.sandbox)).metadata.annotations![ANNOTATION.lastActivity]!);
  expect(at).toBeGreaterThanOrEqual(Math.floor((streamStart + 15_000) / 1000) * 1000);
}, 90_000);

test('20 concurrent calls to a suspended sandbox resume it with one patch, wait until Ready, and are all answered', async () => {
  sleepy = await agent.createSandbox({ namespace: ns.name, warmPool: 'py', name: 'sleepy', readyTimeoutMs: 60_000 });
  const name = sleepy.address.sandbox;
  await serve(name);
  await suspend(name);
  const audit = new AuditLog();
  const mark = audit.mark();
  const answers = Array.from({ length: 20 }, (_, i) => sleepy.run(['echo', String(i)]));
  await serve(name);
  expect((await Promise.all(answers)).map((r) => r.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
  expect(agentPatches(audit.since(mark), name)).toBe(1);
  const resumed = await getSandbox(name);
  expect(resumed.spec.operatingMode).toBe('Running');
  expect(resumed.metadata.annotations?.[ANNOTATION.suspendReason]).toBeUndefined();
}, 90_000);

test('a caller who may read but not patch the sandbox gets an error naming it and the permission, and does not wake it', async () => {
  const name = sleepy.address.sandbox;
  await suspend(name);
  const reader = new SandboxClient({ kubeconfig: await serviceAccountKubeconfig(ns.name, 'reader'), connection: { mode: 'direct', port: RUNTIME_PORT } });
  try {
    const handle = await reader.getSandbox('sleepy', ns.name);
    const error = await handle.run('true').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResumeForbiddenError);
    expect((error as Error).message).toContain(`cannot resume suspended sandbox ${ns.name}/${name}: needs verb "patch" on sandboxes in API group agents.x-k8s.io, namespace ${ns.name}`);
    expect((error as Error).message).toContain(`system:serviceaccount:${ns.name}:reader`);
  } finally {
    await reader.close();
  }
  await new Promise((r) => setTimeout(r, 1000));
  expect((await getSandbox(name)).spec.operatingMode).toBe('Suspended');
});

test("the agents' policy admits the activity annotation only, as an RFC 3339 time", async () => {
  const name = sleepy.address.sandbox;
  const patch = (annotations: Record<string, string>) => agentKube.mergePatch(Resources.sandboxes, ns.name, name, { metadata: { annotations } });
  await expect(patch({ [ANNOTATION.lastActivity]: '2026-01-01T00:00:00Z' })).resolves.toBeDefined();
  await expect(patch({ [ANNOTATION.lastActivity]: 'forever' })).rejects.toThrow(/may change only spec.operatingMode/);
  await expect(patch({ 'example.com/other': 'x' })).rejects.toThrow(/may change only spec.operatingMode/);
});
