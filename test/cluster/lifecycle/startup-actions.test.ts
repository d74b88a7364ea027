// Issue 19 on the local plane: startup actions run through the sandbox's runtime (a real runtime process serving each
// pod's IP) once the sandbox is Ready; results land in Sandbox and claim status; the completion policy suspends the
// sandbox keeping its PVC; a failing action, an action outliving shutdownTime and a controller restart mid-action.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { ANNOTATION, CONDITION, SANDBOX, type Sandbox, type SandboxAction, type SandboxClaim, type SandboxStartup } from '../../../lib/api';
import { INTERRUPTED_BY_RESTART } from '../../../lib/controller/sandbox/actions/plan';
import { KubeClient, Resources } from '../../../lib/kube';
import { adminClient, claimObject, poolObject, templateObject, waitForPoolReady } from '../claims/fixtures';
import { RUNTIME_PORT, servePod, type ServedPod } from '../data-path/fixtures';
import { applyServerSide, installControllerIdentity, startController, useTestNamespace, waitFor, type ControllerProcess } from '../harness';

const ns = useTestNamespace('actions');
let admin: KubeClient;
let controller: ControllerProcess;
/** Runtimes serving sandbox pods, by sandbox name. */
const served = new Map<string, ServedPod>();

beforeAll(async () => {
  admin = await adminClient();
  controller = await startController({ kubeconfig: await installControllerIdentity() });
});
afterAll(async () => {
  for (const pod of served.values()) await pod.stop();
  await controller?.stop();
  admin?.close();
});

const getSandbox = (name: string) => admin.get<Sandbox>(Resources.sandboxes, ns.name, name);
const condition = (s: { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }, type: string) =>
  s.status?.conditions?.find((c) => c.type === type);

/** Serves the pod of Sandbox `name` at `ip`. */
async function serve(name: string, ip: string, volume?: string): Promise<ServedPod> {
  const pod = await servePod(ip, volume);
  served.set(name, pod);
  return pod;
}

/** Waits for the Sandbox's pod IP and serves the runtime there (in `volume`, a stand-in for its PVC). */
async function serveSandbox(name: string, volume?: string): Promise<ServedPod> {
  const ip = await waitFor(`${name} has a pod IP`, async () => (await getSandbox(name)).status?.podIPs?.[0], { timeoutMs: 60_000 });
  return serve(name, ip, volume);
}

/** Its pod is gone: stop its runtime before kwok hands that IP to another pod (whose actions would reach it). */
async function stopServing(name: string): Promise<void> {
  await served.get(name)?.stop();
  served.delete(name);
}

function sandboxObject(name: string, startup: SandboxStartup, extra: Partial<Sandbox['spec']> = {}): Sandbox {
  return {
    apiVersion: SANDBOX.apiVersion as Sandbox['apiVersion'], kind: 'Sandbox', metadata: { name, namespace: ns.name },
    spec: { podTemplate: { spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1' }] } }, startup, ...extra },
  };
}

const waitForActions = (name: string, status: string) => waitFor(`${name} ActionsCompleted=${status}`, async () => {
  const sb = await getSandbox(name);
  return condition(sb, CONDITION.actionsCompleted)?.status === status && sb;
}, { timeoutMs: 90_000, intervalMs: 200 });

async function suspendedWithoutPod(name: string): Promise<Sandbox> {
  const suspended = await waitFor(`${name} suspended, Pod gone`, async () => {
    const sb = await getSandbox(name);
    const pod = await admin.getOrUndefined(Resources.pods, ns.name, name);
    return sb.spec.operatingMode === 'Suspended' && condition(sb, 'Suspended')?.status === 'True' && !pod && sb;
  }, { timeoutMs: 60_000 });
  await stopServing(name);
  return suspended;
}

async function eventReasons(name: string): Promise<string[]> {
  const events = await admin.list<Event>(Resources.events, { namespace: ns.name, fieldSelector: `involvedObject.name=${name}` });
  return events.items.map((e) => e.reason ?? '');
}

const sh = (script: string, extra: Partial<SandboxAction> = {}): SandboxAction => ({ command: ['sh', '-c', script], ...extra });

test('a warm claim runs its actions, records them on Sandbox and claim, and ends suspended with its PVC; resumed, the files are there', async () => {
  // GIVEN a warm pool whose members have a PVC (static PVs bind them) and whose pods are served by the runtime
  for (let i = 0; i < 2; i++) {
    await applyServerSide([{
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `${ns.name}-pv-${i}` },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${ns.name}-${i}` }, storageClassName: '' },
    }]);
  }
  const vct = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } } }];
  await admin.create(Resources.sandboxTemplates, templateObject(ns.name, 'job', { volumeClaimTemplates: vct }));
  await admin.create(Resources.sandboxWarmPools, poolObject(ns.name, 'job', 'job', 1));
  await waitForPoolReady(admin, ns.name, 'job', 1);
  const member = (await admin.list<Sandbox>(Resources.sandboxes, { namespace: ns.name })).items.find((s) => s.metadata.name?.startsWith('job-'))!;
  expect(member.spec.startup).toBeUndefined(); // pool members run nothing while pooled
  const volume = mkdtempSync(join(tmpdir(), 'pvc-'));
  await serve(member.metadata.name!, member.status!.podIPs![0]!, volume);

  // WHEN a claim with two actions takes it
  const startup: SandboxStartup = { actions: [
    sh('mkdir -p out && echo 42 > out/result.txt && echo wrote', { name: 'write', env: [{ name: 'GREETING', value: 'hi' }] }),
    sh('echo "$GREETING from $(pwd)"; cat result.txt', { name: 'read', workingDir: 'out', env: [{ name: 'GREETING', value: 'hello' }] }),
  ] };
  await admin.create(Resources.sandboxClaims, claimObject(ns.name, 'task', 'job', { startup }));

  // THEN both succeed, in order, with their output, on the Sandbox and mirrored on the claim
  const sandbox = await waitForActions(member.metadata.name!, 'True');
  expect(sandbox.status?.actions).toEqual([
    expect.objectContaining({ name: 'write', state: 'Succeeded', exitCode: 0, output: 'wrote\n' }),
    expect.objectContaining({ name: 'read', state: 'Succeeded', exitCode: 0, output: `hello from ${join(volume, 'out')}\n42\n` }),
  ]);
  const [write, read] = sandbox.status!.actions!;
  expect(Date.parse(write!.startedAt!)).toBeLessThanOrEqual(Date.parse(write!.finishedAt!));
  expect(Date.parse(write!.finishedAt!)).toBeLessThanOrEqual(Date.parse(read!.startedAt!));
  const claim = await waitFor('claim mirrors the actions', async () => {
    const c = await admin.get<SandboxClaim>(Resources.sandboxClaims, ns.name, 'task');
    return condition(c, CONDITION.actionsCompleted)?.status === 'True' && c.status?.actions?.length === 2 && c;
  });
  expect(claim.status?.actions).toEqual(sandbox.status?.actions);
  expect(condition(claim, CONDITION.actionsCompleted)).toMatchObject({ reason: 'ActionsSucceeded', message: '2 action(s) succeeded' });

  // AND the default policy suspended it: Pod gone, PVC kept, reason recorded, Events written
  const suspended = await suspendedWithoutPod(member.metadata.name!);
  expect(suspended.metadata.annotations?.[ANNOTATION.suspendReason]).toBe('actions-complete');
  const pvc = await admin.get<PersistentVolumeClaim>(Resources.persistentVolumeClaims, ns.name, `data-${member.metadata.name}`);
  expect(pvc.metadata?.deletionTimestamp).toBeUndefined();
  await waitFor('events', async () => {
    const reasons = await eventReasons(member.metadata.name!);
    return reasons.includes('ActionsSucceeded') && reasons.includes('SandboxSuspended');
  });
  expect(await controller.metric('agent_sandbox_kit_suspends_total', { reason: 'actions-complete' })).toBeGreaterThanOrEqual(1);
  expect(await controller.metric('agent_sandbox_kit_action_duration_seconds_count', { result: 'Succeeded' })).toBeGreaterThanOrEqual(2);

  // WHEN it is resumed, on a new pod with the same volume
  await admin.mergePatch(Resources.sandboxes, ns.name, member.metadata.name!, { spec: { operatingMode: 'Running' } });
  const resumed = await serveSandbox(member.metadata.name!, volume);
  await waitFor('resumed Ready', async () => condition(await getSandbox(member.metadata.name!), 'Ready')?.status === 'True');
  // THEN the files the actions wrote are there, and the actions did not run again
  const answer = await fetch(`http://${resumed.ip}:${RUNTIME_PORT}/execute`, { method: 'POST', body: JSON.stringify({ command: 'cat out/result.txt' }) });
  expect(await answer.json()).toMatchObject({ stdout: '42\n', exit_code: 0 });
  expect((await getSandbox(member.metadata.name!)).status?.actions).toEqual(sandbox.status?.actions);
  expect((await getSandbox(member.metadata.name!)).spec.operatingMode).toBe('Running');
});

test('a failing action is recorded with its exit code and output, the rest are skipped, and keepOnFailure keeps the sandbox running', async () => {
  const actions = [sh('echo oops >&2; exit 3', { name: 'fail' }), sh('echo never', { name: 'after' })];
  await admin.create(Resources.sandboxes, sandboxObject('fails', { actions, keepOnFailure: true }));
  await admin.create(Resources.sandboxes, sandboxObject('times-out', { actions: [sh('echo start; sleep 30', { timeoutSeconds: 1 })] }));
  await serveSandbox('fails');
  await serveSandbox('times-out');

  const failed = await waitForActions('fails', 'False');
  expect(condition(failed, CONDITION.actionsCompleted)).toMatchObject({ reason: 'ActionFailed', message: 'action "fail" exited with code 3' });
  expect(failed.status?.actions).toEqual([
    expect.objectContaining({ name: 'fail', state: 'Failed', exitCode: 3, output: 'oops\n' }),
    { name: 'after', state: 'Skipped', message: 'action "fail" did not succeed' },
  ]);
  const timedOut = await waitForActions('times-out', 'False');
  expect(condition(timedOut, CONDITION.actionsCompleted)?.reason).toBe('ActionTimedOut');
  expect(timedOut.status?.actions?.[0]).toMatchObject({ name: 'action-0', state: 'TimedOut', output: 'start\n' });
  await waitFor('Warning ActionsFailed event', async () => (await eventReasons('fails')).includes('ActionsFailed'));
  // keepOnFailure: still running a while later; the other one followed the default policy
  await suspendedWithoutPod('times-out');
  expect((await getSandbox('times-out')).metadata.annotations?.[ANNOTATION.suspendReason]).toBe('actions-complete');
  const kept = await getSandbox('fails');
  expect(kept.spec.operatingMode).toBe('Running');
  expect(condition(kept, 'Ready')?.status).toBe('True');
});

test('an action still running at shutdownTime is interrupted and the completion policy applies', async () => {
  const shutdownTime = new Date(Date.now() + 8000).toISOString().replace(/\.\d+Z$/, 'Z');
  await admin.create(Resources.sandboxes, sandboxObject('deadline', { actions: [sh('echo begun; sleep 120', { name: 'long', timeoutSeconds: 300 }), sh('true', { name: 'next' })] }, { shutdownTime }));
  await serveSandbox('deadline');
  await waitFor('long action running', async () => (await getSandbox('deadline')).status?.actions?.[0]?.state === 'Running');

  const ended = await waitForActions('deadline', 'False');
  expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(shutdownTime));
  expect(condition(ended, CONDITION.actionsCompleted)?.reason).toBe('ShutdownTimeReached');
  expect(ended.status?.actions?.[0]).toMatchObject({ name: 'long', state: 'Interrupted', output: 'begun\n' });
  expect(ended.status?.actions?.[1]).toMatchObject({ name: 'next', state: 'Skipped' });
  const suspended = await suspendedWithoutPod('deadline');
  expect(suspended.metadata.annotations?.[ANNOTATION.suspendReason]).toBe('shutdown-time');
  // Not expired the upstream way: the Sandbox stays, suspended and resumable.
  expect(condition(suspended, 'Ready')?.reason).toBe('SandboxSuspended');
});

test('a controller restart mid-action marks the action interrupted, says so, and never runs it twice', async () => {
  await admin.create(Resources.sandboxes, sandboxObject('restart', { actions: [sh('echo run >> runs.log; sleep 60', { name: 'once' })], completionPolicy: 'KeepRunning' }));
  const pod = await serveSandbox('restart');
  await waitFor('action running', async () => (await getSandbox('restart')).status?.actions?.[0]?.state === 'Running');
  await waitFor('command started', async () => readFileSync(join(pod.baseDir, 'runs.log'), 'utf8').length > 0, { intervalMs: 100 });

  // WHEN the controller dies and a new one takes over
  await controller.kill();
  // The dead one holds the Lease until it expires; nothing else runs, so the new one needs no election.
  controller = await startController({ kubeconfig: await installControllerIdentity(), leaderElect: false });

  // THEN the action is Interrupted with the reason, the sandbox follows its policy (KeepRunning), and it ran once
  const ended = await waitForActions('restart', 'False');
  expect(condition(ended, CONDITION.actionsCompleted)).toMatchObject({ reason: 'ActionInterrupted', message: `action "once" was interrupted: ${INTERRUPTED_BY_RESTART}` });
  expect(ended.status?.actions?.[0]).toMatchObject({ name: 'once', state: 'Interrupted', message: INTERRUPTED_BY_RESTART });
  expect(ended.spec.operatingMode).toBe('Running');
  expect(readFileSync(join(pod.baseDir, 'runs.log'), 'utf8')).toBe('run\n');
}, 120_000);
