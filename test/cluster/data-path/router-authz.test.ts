// The router as a hostile caller meets it, on the real control plane, with exactly the RBAC we synthesize (router
// identity from buildRouter, team RBAC from TeamSandboxes, one extra grant): authentication is not enough, each
// sandbox is authorized by RBAC (SubjectAccessReview on sandboxes/proxy); junk tokens barely reach the API server
// (counted in its audit log); a hostNetwork sandbox is never proxied to; a refused upgrade is never a success; a
// sandbox's full queue answers 503.
import * as net from 'node:net';
import type { PodSpec } from 'kubernetes-types/core/v1';
import type { Sandbox } from '../../../lib/api';
import { teamBaseObjects } from '../../../lib/builders/team';
import { KubeClient, Resources } from '../../../lib/kube';
import { ROUTER_NAME } from '../../../lib/builders/router';
import { TokenReviewAuthorizer } from '../../../lib/router';
import { applyServerSide, deleteNamespace, installCrds, installControllerIdentity, kubectl, startController, uniqueName, useTestNamespace, waitFor, type ControllerProcess } from '../harness';
import { CONTROLLER_NAMESPACE } from '../harness/controller-process';
import { AuditLog } from '../harness/audit-log';
import { adminClient } from '../claims/fixtures';
import { sandboxManifest } from '../controller/fixtures';
import { grantSandboxAccess, installRouterIdentity, RUNTIME_PORT, serveSandbox, startRouter, type RunningRouter, type ServedPod } from './fixtures';

const other = useTestNamespace('rel-other');
const team = uniqueName('team-a');
let admin: KubeClient;
let controller: ControllerProcess;
let router: RunningRouter;
let pod: ServedPod;
const tokens: Record<'agent' | 'outsider' | 'granted' | 'prober', string> = { agent: '', outsider: '', granted: '', prober: '' };

const restrictedPod: PodSpec = {
  securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'main', image: 'registry.example/agent:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
};

async function readySandbox(namespace: string, name: string, podSpec: PodSpec): Promise<Sandbox> {
  await admin.create(Resources.sandboxes, sandboxManifest(namespace, name, { podTemplate: { spec: podSpec } }));
  await waitFor(`router routes to ${namespace}/${name}`, async () => router.cache.lookup(namespace, name) !== undefined, { timeoutMs: 90_000 });
  return admin.get<Sandbox>(Resources.sandboxes, namespace, name);
}

const token = async (namespace: string, sa: string): Promise<string> => (await kubectl(['create', 'token', sa, '--namespace', namespace])).trim();

function call(namespace: string, id: string, bearer: string | undefined, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { 'x-sandbox-id': id, 'x-sandbox-namespace': namespace, 'x-sandbox-port': String(RUNTIME_PORT) };
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
  return fetch(`${router.url}/${init.method === 'POST' ? 'execute' : ''}`, { ...init, headers: { ...headers, 'content-type': 'application/json' } });
}

beforeAll(async () => {
  await installCrds();
  admin = await adminClient();
  // The team as TeamSandboxes synthesizes it (agents: its `agent` ServiceAccount), and a grant of one sandbox to `granted`.
  await applyServerSide(teamBaseObjects({ name: team, agents: { serviceAccounts: ['agent'] } }) as object[]);
  await waitFor(`ServiceAccount ${team}/default`, async () => admin.getOrUndefined(Resources.serviceAccounts, team, 'default'));
  await grantSandboxAccess(team, { name: 'release', serviceAccounts: [`${other.name}/granted`], sandboxes: ['sb-1'] });
  await grantSandboxAccess(other.name, { name: 'prober', serviceAccounts: ['prober'] });
  for (const [namespace, sa] of [[team, 'agent'], [other.name, 'outsider'], [other.name, 'granted'], [other.name, 'prober']] as const) {
    await admin.create(Resources.serviceAccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace } });
    tokens[sa] = await token(namespace, sa);
  }
  controller = await startController({ kubeconfig: await installControllerIdentity() });
  router = await startRouter(
    await installRouterIdentity(), (kube, metrics) => new TokenReviewAuthorizer(kube, { metrics }),
    { maxConnectionsPerSandbox: 2, maxQueuedRequestsPerSandbox: 2 },
  );
  await readySandbox(team, 'sb-1', restrictedPod);
  pod = await serveSandbox(admin, team, 'sb-1');
}, 180_000);
afterAll(async () => {
  await pod?.stop();
  await router?.stop();
  await controller?.stop();
  admin?.close();
  await deleteNamespace(team);
});

test('an outsider\'s valid token gets 403 naming what is missing; the team\'s agent and a granted identity get 200', async () => {
  const outsider = await call(team, 'sb-1', tokens.outsider);
  expect([outsider.status, await outsider.json()]).toEqual([403, {
    detail: `serviceaccount ${other.name}/outsider may not proxy to sandboxes/${team}/sb-1 (needs verb "create" on sandboxes/proxy in API group agents.x-k8s.io, namespace ${team}).`,
  }]);
  const agent = await call(team, 'sb-1', tokens.agent);
  expect([agent.status, await agent.json()]).toEqual([200, { status: 'ok', message: 'Sandbox Runtime is active.' }]);
  expect((await call(team, 'sb-1', tokens.granted)).status).toBe(200);
  // The grant names sb-1 only; the agent's Role covers the team's namespace, so it learns sb-2 does not exist.
  expect((await call(team, 'sb-2', tokens.granted)).status).toBe(403);
  expect((await call(team, 'sb-2', tokens.agent)).status).toBe(404);
  // Nothing outside the team's own namespace: its agent may not reach another namespace's sandboxes.
  expect((await call(other.name, 'anything', tokens.agent)).status).toBe(403);
});

test('1,000 distinct junk tokens cost at most 100 API calls (audit log) while a legitimate caller keeps getting 200', async () => {
  const audit = new AuditLog();
  const mark = audit.mark();
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const junk = Array.from({ length: 1000 }, (_, i) => {
    if (i % 4 === 0) return `junk-${i}-${Math.random().toString(36).slice(2)}`;
    if (i % 4 === 1) return 'x'.repeat(9000) + i;
    // Shaped like a service-account token, signed by nobody: only the API server can tell.
    return `${b64({ alg: 'RS256', kid: 'forged' })}.${b64({ iss: 'https://kubernetes.default.svc', sub: `system:serviceaccount:x:y${i}`, exp: Math.floor(Date.now() / 1000) + 600 })}.${Buffer.from(`sig${i}`).toString('base64url')}`;
  });
  const statuses = new Map<number, number>();
  const legit: number[] = [];
  let next = 0;
  const flood = async (): Promise<void> => {
    while (next < junk.length) {
      const res = await call(team, 'sb-1', junk[next++]!);
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  };
  const legitimate = async (): Promise<void> => {
    while (next < junk.length) {
      const started = performance.now();
      const res = await call(team, 'sb-1', tokens.agent);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      legit.push(performance.now() - started);
    }
  };
  const floodStarted = performance.now();
  await Promise.all([...Array.from({ length: 50 }, flood), legitimate()]);
  const floodSeconds = (performance.now() - floodStarted) / 1000;
  expect([...statuses.keys()].sort()).toEqual([401, 429]);
  expect(statuses.get(401)! + statuses.get(429)!).toBe(1000);
  expect(legit.length).toBeGreaterThan(0); // each asserted 200 above

  // The audit log is written in batches: a write after the flood marks where it ends.
  const sentinel = uniqueName('flood-done');
  await admin.create(Resources.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: sentinel, namespace: other.name } });
  const writes = await waitFor('audit log past the flood', async () => {
    const all = audit.since(mark);
    return all.some((w) => w.resource === 'configmaps' && w.name === sentinel) && all;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  const routerUser = `system:serviceaccount:${CONTROLLER_NAMESPACE}:${ROUTER_NAME}`;
  const reviews = writes.filter((w) => w.user === routerUser && ['tokenreviews', 'subjectaccessreviews'].includes(w.resource));
  legit.sort((a, b) => a - b);
  console.log(JSON.stringify({
    floodSeconds, statuses: Object.fromEntries(statuses), reviews: reviews.length, tokenReviews: reviews.filter((w) => w.resource === 'tokenreviews').length,
    legitRequests: legit.length, legitP50ms: legit[Math.floor(legit.length / 2)], legitMaxMs: legit.at(-1),
  }));
  expect(reviews.length).toBeGreaterThan(0); // the forged JWTs did reach the API server, within the budget
  expect(reviews.length).toBeLessThanOrEqual(100);
  const throttled = (await router.metrics.authzThrottled.get()).values.reduce((sum, v) => sum + v.value, 0);
  expect(throttled).toBe(statuses.get(429));
});

test('a hostNetwork sandbox is refused with the reason, and node addresses are known to the router', async () => {
  const sandbox = await readySandbox(other.name, 'host-net', { ...restrictedPod, hostNetwork: true });
  expect(router.nodes.isNodeAddress(sandbox.status!.podIPs![0]!)).toBe(true); // kwok gives hostNetwork pods their node's address
  // The prober's token is new to the router: right after the junk flood its review may be deferred (429, Retry-After), as a client would retry.
  const res = await waitFor('an answer other than 429', async () => {
    const answer = await call(other.name, 'host-net', tokens.prober);
    if (answer.status !== 429) return answer;
    await answer.arrayBuffer();
    return undefined;
  }, { timeoutMs: 30_000, intervalMs: 1_000 });
  expect([res.status, await res.json()]).toEqual([403, {
    detail: `Sandbox ${other.name}/host-net uses hostNetwork: its address is its node's, and the router never proxies to a node.`,
  }]);
});

test('an upgrade the sandbox does not accept is answered with an error, never 200', async () => {
  const statusLine = (path: string) => new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(new URL(router.url).port), '127.0.0.1');
    socket.write(`GET ${path} HTTP/1.1\r\nHost: r\r\nauthorization: Bearer ${tokens.agent}\r\nx-sandbox-id: sb-1\r\nx-sandbox-namespace: ${team}\r\n`
      + `x-sandbox-port: ${RUNTIME_PORT}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    let received = '';
    socket.on('data', (d) => (received += d.toString()));
    socket.once('close', () => resolve(received.split('\r\n', 1)[0]!));
    socket.once('error', reject);
  });
  expect(await statusLine('/')).toBe('HTTP/1.1 502 Bad Gateway'); // the runtime answers 200 to GET /
  expect(await statusLine('/no-such-endpoint')).toBe('HTTP/1.1 404 Not Found');
});

test('a sandbox with its connections busy and its queue full answers 503 with Retry-After', async () => {
  const sleeper = () => call(team, 'sb-1', tokens.agent, { method: 'POST', body: JSON.stringify({ command: ['sleep', '2'] }) });
  const results = await Promise.all(Array.from({ length: 6 }, sleeper));
  const refused = results.filter((r) => r.status === 503);
  expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 503, 503]);
  expect(refused.map((r) => r.headers.get('retry-after'))).toEqual(['1', '1']);
  expect(await refused[0]!.json()).toEqual({ detail: `Too many requests queued for sandbox ${team}/sb-1; retry later.` });
  expect(await router.metrics.registry.metrics()).toContain(`sandbox_router_queue_rejections_total{sandbox_namespace="${team}"} 2`);
});
