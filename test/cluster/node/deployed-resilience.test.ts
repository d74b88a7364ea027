// The deployed platform under what goes wrong on real nodes: bad templates surface as conditions within seconds
// and block nobody, a sandbox keeps its files on its PVC across suspend and resume and keeps its DNS name, and
// the controller's leader Pod deleted in the middle of a burst of claims hands over with every claim served once.
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { DEFAULT_SYSTEM_NAMESPACE, type Sandbox, type SandboxClaim } from '../../../lib/api';
import { CONTROLLER_NAME } from '../../../lib/builders/controller-deployment';
import { SandboxClient } from '../../../lib/client';
import { LEADER_ELECTION_ID } from '../../../lib/controller-runtime/leader-election';
import { KubeClient, Resources } from '../../../lib/kube';
import { adminClient, checkBindings, claimObject, waitForClaimsReady } from '../claims/fixtures';
import { getObject, kubectl, serviceAccountKubeconfig, waitFor } from '../harness';
import { AuditLog } from '../harness/audit-log';
import { auditLogPath } from '../plane/components';
import { realNodeClusterDir } from '../plane/plane';
import { deploySynthesizedPlatform } from './platform';
import { ABSENT_IMAGE, ABSENT_RUNTIME_CLASS, agentClient, deployTeam, podsOf, waitForPool, type DeployedTeam } from './deployed-team';

jest.setTimeout(10 * 60_000);

const POOL = 2;
let team: DeployedTeam;
let sdk: SandboxClient;
let admin: KubeClient;
/** The agent's own API client (claims are created as the agent, never as admin). */
let agent: KubeClient;

beforeAll(async () => {
  await deploySynthesizedPlatform();
  team = await deployTeam('resilience', { poolReplicas: POOL });
  sdk = await agentClient(team);
  admin = await adminClient();
  agent = await KubeClient.create({ kubeconfig: await serviceAccountKubeconfig(team.namespace, team.agent) });
}, 15 * 60_000);
afterAll(async () => {
  sdk?.close();
  agent?.close();
  admin?.close();
  await team?.remove();
});

const ready = (object: { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } } | undefined) =>
  object?.status?.conditions?.find((c) => c.type === 'Ready');

/** Creates a claim as the agent and waits until its Ready condition and its Sandbox's match `problem`; returns the ms that took. */
async function claimFailsWith(name: string, pool: string, problem: { reason: RegExp; message: RegExp }): Promise<number> {
  const started = Date.now();
  await agent.create<SandboxClaim>(Resources.sandboxClaims, claimObject(team.namespace, name, pool));
  const matches = (condition: ReturnType<typeof ready>) =>
    condition?.status === 'False' && problem.reason.test(condition.reason ?? '') && problem.message.test(condition.message ?? '');
  await waitFor(`claim ${name} and its Sandbox to name the problem`, async () => {
    const claim = await getObject<SandboxClaim>('sandboxclaim', name, { namespace: team.namespace });
    const sandbox = await getObject<Sandbox>('sandbox', name, { namespace: team.namespace });
    return matches(ready(claim)) && matches(ready(sandbox));
  }, { timeoutMs: 60_000, intervalMs: 250 });
  return Date.now() - started;
}

describe('bad input surfaces and never blocks', () => {
  test('an image that does not exist: the claim and its Sandbox name the image problem within seconds', async () => {
    const ms = await claimFailsWith('bad-image', team.badImagePool, { reason: /^(ErrImagePull|ImagePullBackOff)$/, message: new RegExp(ABSENT_IMAGE.replace(/[.]/g, '\\.')) });
    expect(ms).toBeLessThan(30_000);
  });

  test('a runtime class that does not exist: the claim and its Sandbox say so', async () => {
    const ms = await claimFailsWith('absent-runtime', team.absentRuntimePool, { reason: /.+/, message: new RegExp(`RuntimeClass "${ABSENT_RUNTIME_CLASS}" not found`) });
    expect(ms).toBeLessThan(30_000);
  });

  test('other claims are served meanwhile', async () => {
    const sandbox = await sdk.createSandbox({ namespace: team.namespace, warmPool: team.pool, name: 'unblocked', readyTimeoutMs: 180_000 });
    expect((await sandbox.run('python3 -c "print(6*7)"')).stdout).toBe('42\n');
    for (const name of ['unblocked', 'bad-image', 'absent-runtime']) await sdk.terminate(name, team.namespace);
  });
});

describe('a sandbox with a PVC, suspended and resumed', () => {
  const name = 'keeper';
  const pvcName = `workspace-${name}`;
  let pvcUid: string;
  let podIp: string;

  test('keeps the files of its PVC, which stays Bound while the Pod is gone', async () => {
    const sandbox = await sdk.createSandbox({ namespace: team.namespace, warmPool: team.persistentPool, name, readyTimeoutMs: 180_000 });
    await sandbox.files.write('notes.txt', 'kept across suspend\n');
    const pvc = await getObject<PersistentVolumeClaim>('pvc', pvcName, { namespace: team.namespace });
    expect(pvc?.status?.phase).toBe('Bound');
    pvcUid = pvc!.metadata!.uid!;
    podIp = (await getObject<Sandbox>('sandbox', name, { namespace: team.namespace }))!.status!.podIPs![0];

    await sandbox.suspend();
    await waitFor('the Sandbox suspended, its Pod gone', async () => {
      const current = await getObject<Sandbox>('sandbox', name, { namespace: team.namespace });
      const suspended = current?.status?.conditions?.find((c) => c.type === 'Suspended')?.status === 'True';
      return suspended && (await getObject('pod', name, { namespace: team.namespace })) === undefined;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    const whileSuspended = await getObject<PersistentVolumeClaim>('pvc', pvcName, { namespace: team.namespace });
    expect(whileSuspended?.metadata?.uid).toBe(pvcUid);
    expect(whileSuspended?.status?.phase).toBe('Bound');

    await sandbox.resume();
    await waitFor('the Sandbox Ready again', async () => ready(await getObject<Sandbox>('sandbox', name, { namespace: team.namespace }))?.status === 'True', { timeoutMs: 180_000, intervalMs: 500 });
    expect((await sandbox.files.read('notes.txt')).toString()).toBe('kept across suspend\n');

    // The agent's patch right is for suspend and resume only: its pod template stays as the template made it.
    const rewrite = await agent.mergePatch(Resources.sandboxes, team.namespace, name, { spec: { podTemplate: { metadata: { labels: { rewritten: 'yes' } } } } }).catch((e: Error) => e);
    expect(rewrite).toBeInstanceOf(Error);
    expect((rewrite as Error).message).toMatch(/may change only spec\.operatingMode of a Sandbox/);
  });

  test('another sandbox reaches it by its serviceFQDN, also after it moved to a new Pod', async () => {
    const keeper = await getObject<Sandbox>('sandbox', name, { namespace: team.namespace });
    expect(keeper!.status!.podIPs![0]).not.toBe(podIp);
    const fqdn = keeper!.status!.serviceFQDN!;
    expect(fqdn).toBe(`${name}.${team.namespace}.svc.cluster.local`);
    // A sandbox of the same template: the default NetworkPolicy's templates get public resolvers, not cluster DNS.
    const caller = await sdk.createSandbox({ namespace: team.namespace, warmPool: team.persistentPool, name: 'caller', readyTimeoutMs: 180_000 });
    const fetchScript = `import urllib.request; print(urllib.request.urlopen("http://${fqdn}:8888/download/notes.txt", timeout=20).read().decode(), end="")`;
    expect(await caller.run(['python3', '-c', fetchScript])).toMatchObject({ stdout: 'kept across suspend\n', exitCode: 0 });
    await caller.terminate();
  });
});

test('the leader Pod deleted mid-burst: another replica takes the Lease, every claim is served exactly once', async () => {
  await waitForPool(team.namespace, team.pool, POOL);
  // The pool's members are counted from the audit log, not a watch: the new replica adds its CA to the CRDs'
  // caBundle, and the API server ends every watch of a CRD whose spec changes, so no watch sees the whole handover.
  const audit = new AuditLog(auditLogPath(realNodeClusterDir));
  const mark = audit.mark();
  const controllerUser = `system:serviceaccount:${DEFAULT_SYSTEM_NAMESPACE}:${CONTROLLER_NAME}`;
  const memberWrites = () => audit.since(mark).filter((w) => w.namespace === team.namespace && w.resource === 'sandboxes' && !w.subresource
    && w.user === controllerUser && (w.verb === 'create' || w.verb === 'delete') && (w.code ?? 0) < 300 && w.name?.startsWith(`${team.pool}-`));
  const leaseHolder = async () => (await getObject<{ spec: { holderIdentity?: string } }>('lease', LEADER_ELECTION_ID, { namespace: DEFAULT_SYSTEM_NAMESPACE }))?.spec.holderIdentity?.split('_')[0];
  const leader = await leaseHolder();
  expect(leader).toBeDefined();
  // The keeper's PVC (its Sandbox lives on; the caller's went with its claim).
  const keeperPvc = () => kubectl(['get', 'pvc', 'workspace-keeper', '-n', team.namespace, '-o', 'jsonpath={.metadata.uid}/{.status.phase}']);
  const pvcBefore = await keeperPvc();
  expect(pvcBefore).toMatch(/^[0-9a-f-]{36}\/Bound$/);

  const names = Array.from({ length: 4 }, (_, i) => `burst-${i}`);
  const created: Promise<unknown>[] = [];
  for (const [i, claim] of names.entries()) {
    created.push(agent.create<SandboxClaim>(Resources.sandboxClaims, claimObject(team.namespace, claim, team.pool)));
    if (i === 0) await kubectl(['delete', 'pod', '-n', DEFAULT_SYSTEM_NAMESPACE, leader!, '--wait=false']);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await Promise.all(created);
  const claims = await waitForClaimsReady(admin, team.namespace, names, { timeoutMs: 240_000 });
  const report = await checkBindings(admin, team.namespace, claims);
  expect(report.problems).toEqual([]);
  expect(report.warm + report.cold).toBe(names.length);

  const controllers = (await podsOf(DEFAULT_SYSTEM_NAMESPACE, `app.kubernetes.io/name=${CONTROLLER_NAME}`)).map((pod) => pod.metadata!.name);
  const next = await leaseHolder();
  expect(next).not.toBe(leader);
  expect(controllers).toContain(next);
  // The pool refills to its size and never went above it: one member created per member adopted, none trimmed.
  await waitForPool(team.namespace, team.pool, POOL);
  const writes = await waitFor('the refills in the audit log, settled', async () => {
    const first = memberWrites();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const again = memberWrites();
    return first.length === again.length && again;
  }, { timeoutMs: 30_000 });
  expect(writes.filter((w) => w.verb === 'delete')).toEqual([]);
  expect(writes.filter((w) => w.verb === 'create')).toHaveLength(report.warm);
  // No PVC lost: the keeper's is still there, same uid, Bound.
  expect(await keeperPvc()).toBe(pvcBefore);
});
