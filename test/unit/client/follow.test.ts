// Following a claim's actions live (unit, real runtime over a socket, fake API): the follower starts once the claim
// shows an action Running, retries the runtime's 404 until the controller has sent it, delivers every chunk and reports
// the action as wholly followed; an action that ended before it was seen running is left to the kept tail; following
// never wakes a suspended sandbox.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Sandbox, SandboxClaim } from '../../../lib/api';
import { SandboxConnectionError, SandboxHandle } from '../../../lib/client';
import { resolveEndpoint } from '../../../lib/client/connection';
import { DirectLifecycle } from '../../../lib/client/direct-lifecycle';
import { ActionFollower, type ActionOutputChunk } from '../../../lib/client/follow';
import type { KubeClient } from '../../../lib/kube';
import { createRuntimeServer, DEFAULT_RUNTIME_CONFIG, type RuntimeServer } from '../../../lib/sandbox-runtime';

let runtime: RuntimeServer;
let port: number;
let baseDir: string;
beforeAll(async () => {
  baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'follow-test-'));
  runtime = createRuntimeServer({ ...DEFAULT_RUNTIME_CONFIG, host: '127.0.0.1', port: 0, baseDir });
  port = await runtime.listen();
});
afterAll(async () => {
  await runtime.close();
  fs.rmSync(baseDir, { recursive: true, force: true });
});

const sandbox = (serving: boolean): Sandbox => ({
  apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', metadata: { name: 'sb', namespace: 'ns', uid: 'abc' },
  spec: { operatingMode: serving ? 'Running' : 'Suspended' },
  status: serving ? { podIPs: ['127.0.0.1'], conditions: [{ type: 'Ready', status: 'True', reason: 'DependenciesReady', message: '', lastTransitionTime: '' }] } : {},
} as unknown as Sandbox);

function handleOn(object: Sandbox) {
  const patches: unknown[] = [];
  const kube = { get: async () => object, mergePatch: async (...args: unknown[]) => { patches.push(args); return object; } } as unknown as KubeClient;
  const address = { namespace: 'ns', sandbox: 'sb' };
  const direct = new DirectLifecycle(kube, { holdMs: 1000, onActivityError: () => undefined });
  const resolve = (known?: Sandbox) => resolveEndpoint({ mode: 'direct', port }, address, kube, undefined, known);
  return { kube, patches, direct, open: async () => new SandboxHandle(kube, address, 'c', await resolve(), resolve, direct) };
}

const claimWith = (...states: string[]): SandboxClaim => ({
  metadata: { name: 'c', namespace: 'ns' }, spec: { warmPoolRef: { name: 'p' } },
  status: { sandbox: { name: 'sb' }, actions: states.map((state, i) => ({ name: `a${i}`, state })) },
} as unknown as SandboxClaim);

test('follows the running action from before the controller sends it to its exit; one that ended unseen is skipped', async () => {
  const { kube, direct, open } = handleOn(sandbox(true));
  const chunks: ActionOutputChunk[] = [];
  const follower = new ActionFollower(kube, 'ns', open, (chunk) => chunks.push(chunk));
  follower.see(claimWith('Succeeded', 'Running')); // action 0 ended before it was seen: left to its kept tail
  await new Promise((r) => setTimeout(r, 300)); // the follower is already asking (404) when the controller sends it
  const run = await fetch(`http://127.0.0.1:${port}/v1/actions/abc-1`, { method: 'POST', body: JSON.stringify({ command: ['sh', '-c', 'echo out; echo err >&2'] }) });
  await run.text();
  follower.see(claimWith('Succeeded', 'Succeeded'));
  expect(await follower.finish()).toEqual([1]);
  expect(chunks.sort((a, b) => a.stream.localeCompare(b.stream))).toEqual([{ index: 1, stream: 'stderr', data: 'err\n' }, { index: 1, stream: 'stdout', data: 'out\n' }]);
  await direct.stop();
});

test('following a suspended sandbox does not wake it', async () => {
  const { patches, direct, open } = handleOn(sandbox(false));
  const handle = await open();
  const error = await (async () => { for await (const event of handle.followAction('abc-0')) void event; })().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SandboxConnectionError);
  expect(patches).toEqual([]);
  await direct.stop();
});
