// Resume on request (unit): one read and one patch for many waiting requests, nothing for a sandbox that is not
// suspended, 503 with Retry-After past the hold, a new resume after the sandbox was Ready and suspended again, and none
// for a request that says X-Sandbox-Resume: false.
import type { IncomingMessage } from 'node:http';
import { Resources } from '../../../lib/kube';
import { AllowAllAuthorizer, NO_NODES, RouterMetrics, SandboxWaker, type SandboxResolver, type SandboxTarget } from '../../../lib/router';
import { admit } from '../../../lib/router/admission';
import { FakeApiServer } from '../../support/fake-api-server';
import { sandboxObject } from '../../support/objects';

function setup(mode: 'Running' | 'Suspended' | 'absent') {
  const server = new FakeApiServer();
  const suspended = sandboxObject('sb', { namespace: 'ns', operatingMode: 'Suspended' });
  if (mode !== 'absent') server.seed(Resources.sandboxes, sandboxObject('sb', { namespace: 'ns', operatingMode: mode }));
  const calls = {
    get get() { return server.requests.filter((r) => r.verb === 'get' && r.plural === 'sandboxes').length; },
    get patch() { return server.writes.filter((w) => w.verb === 'patch' && w.plural === 'sandboxes').map((w) => w.body); },
  };
  let ready: SandboxTarget | undefined;
  const resolver: SandboxResolver = { lookup: () => ready, ready: () => true, refresh: async () => ready };
  const becomeReady = () => { ready = { namespace: 'ns', name: 'sb', uid: 'u', podIPs: ['198.18.0.1'] }; };
  /** Idle suspend set it Suspended again (not a write this test counts). */
  const suspendAgain = () => { ready = undefined; server.seed(Resources.sandboxes, suspended); };
  return { calls, becomeReady, suspendAgain, waker: new SandboxWaker({ client: server, resolver, holdMs: 300, pollMs: 5 }) };
}

test('50 concurrent requests to a suspended sandbox: one read, one patch, all answered once it is Ready', async () => {
  const { calls, becomeReady, waker } = setup('Suspended');
  const waiting = Array.from({ length: 50 }, () => waker.wake('ns', 'sb'));
  setTimeout(becomeReady, 30);
  expect((await Promise.all(waiting)).every((t) => t?.podIPs[0] === '198.18.0.1')).toBe(true);
  expect(calls.get).toBe(1);
  expect(calls.patch).toEqual([{ metadata: { annotations: { 'agent-sandbox-kit.dev/suspend-reason': null } }, spec: { operatingMode: 'Running' } }]);
});

test('a sandbox that is not suspended (or absent) is not woken', async () => {
  for (const mode of ['Running', 'absent'] as const) {
    const { calls, waker } = setup(mode);
    await expect(waker.wake('ns', 'sb')).resolves.toBeUndefined();
    expect(calls.patch).toEqual([]);
  }
});

test('past the hold: 503 with Retry-After', async () => {
  const { waker } = setup('Suspended');
  await expect(waker.wake('ns', 'sb')).rejects.toMatchObject({ status: 503, retryAfterSeconds: 5, message: 'Sandbox ns/sb is resuming and not Ready yet; retry later.' });
});

test('suspended again after it was Ready, the next request resumes it again', async () => {
  const { calls, becomeReady, suspendAgain, waker } = setup('Suspended');
  setTimeout(becomeReady, 10);
  await waker.wake('ns', 'sb');
  suspendAgain();
  setTimeout(becomeReady, 10);
  await waker.wake('ns', 'sb');
  expect(calls.patch).toHaveLength(2);
});

test('a request with X-Sandbox-Resume: false never wakes a suspended sandbox: 404 as for any sandbox not Ready', async () => {
  const woken: string[] = [];
  const deps = {
    resolver: { lookup: () => undefined, ready: () => true, refresh: async () => undefined }, authorizer: new AllowAllAuthorizer(), metrics: new RouterMetrics(),
    allowLoopbackPodIP: true, nodeAddresses: NO_NODES, waker: { wake: async (_ns: string, name: string) => { woken.push(name); return undefined; } },
  };
  const request = (extra: Record<string, string>) => ({ headers: { 'x-sandbox-id': 'sb', 'x-sandbox-namespace': 'ns', ...extra }, socket: {} }) as unknown as IncomingMessage;
  await expect(admit(request({ 'x-sandbox-resume': 'false' }), deps)).rejects.toMatchObject({ status: 404 });
  expect(woken).toEqual([]);
  await expect(admit(request({}), deps)).rejects.toMatchObject({ status: 404 });
  expect(woken).toEqual(['sb']);
});
