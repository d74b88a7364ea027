// Direct mode's resume and activity (unit, real runtime over a socket, fake API): many concurrent calls on a handle to a
// suspended sandbox make one patch and one watch, then all run; a caller who may not patch gets
// ResumeForbiddenError naming the sandbox and the permission, and nothing is sent; calls and open streams mark the
// sandbox active, written once per interval, coalesced.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Sandbox } from '../../../lib/api';
import { ResumeForbiddenError, ResumeTimeoutError, SandboxHandle } from '../../../lib/client';
import { resolveEndpoint, type ConnectionConfig } from '../../../lib/client/connection';
import { DirectLifecycle } from '../../../lib/client/direct-lifecycle';
import { ApiError, type KubeClient, type WatchEvent } from '../../../lib/kube';
import { createRuntimeServer, DEFAULT_RUNTIME_CONFIG, type RuntimeServer } from '../../../lib/sandbox-runtime';

let runtime: RuntimeServer;
let port: number;
let baseDir: string;
beforeAll(async () => {
  baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'direct-test-'));
  runtime = createRuntimeServer({ ...DEFAULT_RUNTIME_CONFIG, host: '127.0.0.1', port: 0, baseDir });
  port = await runtime.listen();
});
afterAll(async () => {
  await runtime.close();
  fs.rmSync(baseDir, { recursive: true, force: true });
});

const sandboxIn = (mode: 'Running' | 'Suspended', serving: boolean, idleTimeoutSeconds?: number): Sandbox => ({
  apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', metadata: { name: 'sb', namespace: 'ns', resourceVersion: '1' },
  spec: { operatingMode: mode, ...(idleTimeoutSeconds ? { idleTimeoutSeconds } : {}) } as Sandbox['spec'],
  status: serving ? { podIPs: ['127.0.0.1'], conditions: [{ type: 'Ready', status: 'True', reason: 'DependenciesReady', message: '', lastTransitionTime: '' }] } : {},
} as unknown as Sandbox);

/** A fake API holding one Sandbox: counts calls; `patchError` refuses patches; the watch delivers it once Ready. */
function fakeKube(initial: Sandbox, patchError?: ApiError) {
  let current = initial;
  const calls = { get: 0, patch: [] as unknown[], watch: 0 };
  const readyAfterPatch = sandboxIn('Running', true);
  const kube = {
    get: async () => { calls.get++; return current; },
    mergePatch: async (_t: unknown, _ns: string, _n: string, patch: unknown) => {
      calls.patch.push(patch);
      if (patchError) throw patchError;
      current = { ...current, spec: { ...current.spec, operatingMode: 'Running' } };
      return current;
    },
    watch: async (_t: unknown, _o: unknown, onEvent: (e: WatchEvent<Sandbox>) => void) => {
      calls.watch++;
      await new Promise((r) => setTimeout(r, 30));
      current = readyAfterPatch;
      onEvent({ type: 'MODIFIED', object: current });
    },
  } as unknown as KubeClient;
  return { kube, calls };
}

async function handleFor(kube: KubeClient, holdMs = 5000, intervalMs?: number) {
  const connection: ConnectionConfig = { mode: 'direct', port };
  const address = { namespace: 'ns', sandbox: 'sb' };
  const direct = new DirectLifecycle(kube, { holdMs, onActivityError: () => undefined, activityIntervalMs: intervalMs });
  const resolve = (known?: Sandbox) => resolveEndpoint(connection, address, kube, undefined, known);
  return { handle: new SandboxHandle(kube, address, 'claim', await resolve(), resolve, direct), direct };
}

test('20 concurrent calls to a suspended sandbox: one read and one watch of the Sandbox, one patch (Running, suspend reason cleared), all answered', async () => {
  const { kube, calls } = fakeKube(sandboxIn('Suspended', false));
  const { handle, direct } = await handleFor(kube);
  calls.get = 0;
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => handle.run(['echo', String(i)])));
  expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
  expect(calls).toEqual({ get: 2, watch: 1, patch: [{ metadata: { annotations: { 'agent-sandbox-kit.dev/suspend-reason': null } }, spec: { operatingMode: 'Running' } }] });
  // Serving now: further calls touch the API no more.
  await handle.run('true');
  expect(calls.get + calls.patch.length + calls.watch).toBe(4);
  await direct.stop();
});

test('a caller who may not patch the sandbox gets ResumeForbiddenError naming it and the permission; nothing runs', async () => {
  const forbidden = new ApiError(403, { reason: 'Forbidden', message: 'sandboxes.agents.x-k8s.io "sb" is forbidden: User "reader" cannot patch resource "sandboxes"' } as never, 'patch sandboxes');
  const { kube, calls } = fakeKube(sandboxIn('Suspended', false), forbidden);
  const { handle, direct } = await handleFor(kube);
  const error = await handle.run(['touch', 'woken']).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ResumeForbiddenError);
  expect((error as Error).message).toBe('cannot resume suspended sandbox ns/sb: needs verb "patch" on sandboxes in API group agents.x-k8s.io, namespace ns '
    + `(spec.operatingMode) (the API server said: ${forbidden.message})`);
  expect(calls.watch).toBe(0);
  expect(fs.existsSync(path.join(baseDir, 'woken'))).toBe(false);
  await direct.stop();
});

test('a sandbox not Ready within the hold: ResumeTimeoutError', async () => {
  const { kube } = fakeKube(sandboxIn('Suspended', false));
  (kube as unknown as { watch: () => Promise<void> }).watch = () => new Promise((r) => setTimeout(r, 200));
  const { handle, direct } = await handleFor(kube, 100);
  await expect(handle.run('true')).rejects.toThrow(new ResumeTimeoutError('ns', 'sb', 100));
  await direct.stop();
});

test('calls and an open stream mark a sandbox with an idle timeout active: one coalesced write per interval, none without one', async () => {
  const { kube, calls } = fakeKube(sandboxIn('Running', true, 60));
  const { handle, direct } = await handleFor(kube, 5000, 200);
  await Promise.all(Array.from({ length: 10 }, () => handle.run('true')));
  // A silent streamed command outlasting three intervals keeps being written while it is open.
  for await (const event of handle.runStream(['sleep', '0.7'])) void event;
  await direct.stop();
  const writes = calls.patch.length;
  expect(writes).toBeGreaterThanOrEqual(3);
  expect(writes).toBeLessThanOrEqual(6); // ~0.8 s at 200 ms, plus the final flush: never one per request
  expect(calls.patch[0]).toEqual({ metadata: { annotations: { 'agent-sandbox-kit.dev/last-activity': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) } } });

  const idle = fakeKube(sandboxIn('Running', true));
  const without = await handleFor(idle.kube, 5000, 50);
  await without.handle.run('true');
  await without.direct.stop();
  expect(idle.calls.patch).toEqual([]);
});
