// Issue 19 end to end on the real node, as deployed: a warm gVisor sandbox of a team template with default startup
// actions and a PVC is claimed by the agent with actions of its own; they write to the PVC, their results land in the
// claim's status, and the sandbox suspends itself (Pod gone, PVC kept). A request through the router as the agent wakes
// it and reads back what the action wrote; left idle for the claim's idleTimeoutSeconds it suspends again, not before.
import type { Event, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { ACTIONS_REASON, ANNOTATION, CONDITION, LIFECYCLE_EVENT, SUSPEND_REASON, type Sandbox, type SandboxClaim } from '../../../lib/api';
import type { ActionsResult, SandboxClient } from '../../../lib/client';
import { getObject, kubectl, waitFor } from '../harness';
import { deploySynthesizedPlatform } from './platform';
import { agentClient, deployTeam, podsOf, runtimeOf, type DeployedTeam } from './deployed-team';

jest.setTimeout(10 * 60_000);

const CLAIM = 'task';
const IDLE_TIMEOUT_SECONDS = 60;
let team: DeployedTeam;
let sdk: SandboxClient;
let result: ActionsResult;
let pvcUid: string;
/** When the last request through the router was answered (the idle timeout counts from there). */
let lastRequestAt: number;

beforeAll(async () => {
  await deploySynthesizedPlatform();
  team = await deployTeam('lifecycle', {
    poolReplicas: 0,
    // The template's default, replaced by the claim's own actions below.
    tasks: { replicas: 1, startup: { actions: [{ name: 'template-default', command: ['touch', '/app/template-default-ran'] }] } },
  });
  sdk = await agentClient(team);
}, 15 * 60_000);
afterAll(async () => {
  sdk?.close();
  await team?.remove();
});

const condition = (object: { status?: { conditions?: { type: string; status: string; reason?: string }[] } } | undefined, type: string) =>
  object?.status?.conditions?.find((c) => c.type === type);
const getSandbox = (name: string) => getObject<Sandbox>('sandbox', name, { namespace: team.namespace });
const pvcOf = (sandbox: string) => getObject<PersistentVolumeClaim>('pvc', `workspace-${sandbox}`, { namespace: team.namespace });

/** Waits until the Sandbox is Suspended for `reason` with its Pod gone; its PVC is still the same, Bound. */
async function suspendedKeepingPvc(name: string, reason: string, timeoutMs: number): Promise<Sandbox> {
  const sandbox = await waitFor(`${name} suspended (${reason}), its Pod gone`, async () => {
    const current = await getSandbox(name);
    const done = condition(current, CONDITION.suspended)?.status === 'True' && (await podsOf(team.namespace)).every((pod) => pod.metadata!.name !== name);
    return done && current;
  }, { timeoutMs, intervalMs: 500 });
  expect(sandbox.spec.operatingMode).toBe('Suspended');
  expect(sandbox.metadata.annotations?.[ANNOTATION.suspendReason]).toBe(reason);
  const pvc = await pvcOf(name);
  expect([pvc?.metadata?.uid, pvc?.status?.phase]).toEqual([pvcUid, 'Bound']);
  return sandbox;
}

test('a warm claim runs its actions under gVisor on the PVC, records them, and ends suspended with its PVC', async () => {
  const started = Date.now();
  result = await sdk.runActions({
    namespace: team.namespace, warmPool: team.tasksPool!, name: CLAIM, idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS,
    actions: [
      { name: 'write', command: ['sh', '-c', 'echo "written by $(id -u) under $(uname -r | grep -o gvisor)" > /app/result.txt && cat /app/result.txt'] },
      { name: 'check', command: ['python3', '-c', 'import os; print(sorted(os.listdir("/app")))'], timeoutSeconds: 30 },
    ],
  });
  console.log(`claim → actions done: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(result).toMatchObject({ succeeded: true, reason: ACTIONS_REASON.succeeded, exitCode: 0 });
  // Adopted from the warm pool (the claim's own name would mean a cold start), whose member ran under runsc.
  expect(result.sandbox).toMatch(/^tasks-/);
  // The claim's actions replaced the template's default, which never ran.
  expect(result.actions.map((a) => [a.name, a.state, a.exitCode])).toEqual([['write', 'Succeeded', 0], ['check', 'Succeeded', 0]]);
  expect(result.actions[0].output).toBe('written by 65532 under gvisor\n');
  expect(result.actions[1].output).toBe("['result.txt']\n");
  for (const action of result.actions) expect(Date.parse(action.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(action.startedAt!));

  const claim = await getObject<SandboxClaim>('sandboxclaim', CLAIM, { namespace: team.namespace });
  expect(condition(claim, CONDITION.actionsCompleted)).toMatchObject({ status: 'True', reason: ACTIONS_REASON.succeeded });
  expect(claim!.status!.actions).toEqual(result.actions);
  pvcUid = (await pvcOf(result.sandbox!))!.metadata!.uid!;
  await suspendedKeepingPvc(result.sandbox!, SUSPEND_REASON.actionsComplete, 120_000);
  const events = JSON.parse(await kubectl(['get', 'events', '-n', team.namespace, '--field-selector', `involvedObject.name=${result.sandbox}`, '-o', 'json'])) as { items: Event[] };
  expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining([LIFECYCLE_EVENT.actionsSucceeded, LIFECYCLE_EVENT.suspended]));
});

test('a request through the router as the agent resumes it and reads the file the action wrote', async () => {
  const handle = await sdk.getSandbox(CLAIM, team.namespace);
  const started = Date.now();
  const content = (await handle.files.read('result.txt')).toString();
  lastRequestAt = Date.now();
  console.log(`request to the suspended sandbox → answered: ${((lastRequestAt - started) / 1000).toFixed(1)} s`);
  expect(content).toBe('written by 65532 under gvisor\n');
  const sandbox = await getSandbox(result.sandbox!);
  expect(sandbox!.spec.operatingMode).toBe('Running');
  expect(condition(sandbox, CONDITION.ready)?.status).toBe('True');
  const [pod] = (await podsOf(team.namespace)).filter((p) => p.metadata!.name === result.sandbox);
  expect(runtimeOf(pod!)).toBe('io.containerd.runsc.v1');
  expect((await pvcOf(result.sandbox!))?.metadata?.uid).toBe(pvcUid);
});

test(`left idle, it suspends again after idleTimeoutSeconds (${IDLE_TIMEOUT_SECONDS}), not before`, async () => {
  // Not before: running until the timeout has passed since the last request.
  while (Date.now() < lastRequestAt + IDLE_TIMEOUT_SECONDS * 1000) {
    expect((await getSandbox(result.sandbox!))!.spec.operatingMode).toBe('Running');
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  // After: within the timeout plus the router's activity-write interval (the controller's slack) and a pass.
  await suspendedKeepingPvc(result.sandbox!, SUSPEND_REASON.idle, 60_000);
  console.log(`last request → idle-suspended with the Pod gone: ${((Date.now() - lastRequestAt) / 1000).toFixed(1)} s`);
}, 5 * 60_000);
