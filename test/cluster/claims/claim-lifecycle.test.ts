// Claim failures that recover, expiry under each shutdown policy, and env injection per template policy — against
// the controller running as its own process with the synthesized RBAC.
import type { Sandbox, SandboxClaim } from '../../../lib/api/types';
import { Resources } from '../../../lib/kube/resources';
import { useTestNamespace, waitFor } from '../harness';
import { claimObject, poolObject, readyCondition, templateObject, waitForClaimsReady, waitForPoolReady, useClaimController } from './fixtures';

const ns = useTestNamespace('claim-life');
const ctx = useClaimController();

const getClaim = (name: string) => ctx.client.getOrUndefined<SandboxClaim>(Resources.sandboxClaims, ns.name, name);
const waitForReason = (name: string, reason: string) =>
  waitFor(`claim ${name} Ready reason ${reason}`, async () => {
    const claim = await getClaim(name);
    return readyCondition(claim)?.reason === reason && claim;
  }, { timeoutMs: 60_000, intervalMs: 200 });

test('a claim for a missing pool reports WarmPoolNotFound, then TemplateNotFound, and recovers when both appear', async () => {
  await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, 'early', 'late-pool'));
  const missingPool = await waitForReason('early', 'WarmPoolNotFound');
  expect(readyCondition(missingPool)).toMatchObject({ status: 'False', message: 'SandboxWarmPool "late-pool" not found' });

  await ctx.client.create(Resources.sandboxWarmPools, poolObject(ns.name, 'late-pool', 'late-template', 1));
  const missingTemplate = await waitForReason('early', 'TemplateNotFound');
  expect(readyCondition(missingTemplate)?.message).toContain('SandboxTemplate "late-template"');

  await ctx.client.create(Resources.sandboxTemplates, templateObject(ns.name, 'late-template'));
  const [ready] = await waitForClaimsReady(ctx.client, ns.name, ['early']);
  expect(ready.status?.sandbox?.name).toBeTruthy();
});

describe('expiry', () => {
  beforeAll(async () => {
    await ctx.client.create(Resources.sandboxTemplates, templateObject(ns.name, 'expiring'));
    await ctx.client.create(Resources.sandboxWarmPools, poolObject(ns.name, 'expiring', 'expiring', 0));
  });

  const expiringClaim = async (name: string, shutdownPolicy: 'Delete' | 'DeleteForeground' | 'Retain') => {
    await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, name, 'expiring', {
      lifecycle: { shutdownTime: new Date(Date.now() + 4000).toISOString(), shutdownPolicy },
    }));
    const [claim] = await waitForClaimsReady(ctx.client, ns.name, [name]);
    return claim.status!.sandbox!.name!;
  };

  test.each(['Delete', 'DeleteForeground'] as const)('%s removes the claim and its sandbox', async (policy) => {
    const name = `exp-${policy.toLowerCase()}`;
    const sandbox = await expiringClaim(name, policy);
    await waitFor(`claim ${name} deleted`, async () => (await getClaim(name)) === undefined, { timeoutMs: 60_000 });
    await waitFor(`sandbox ${sandbox} deleted`, async () => (await ctx.client.getOrUndefined(Resources.sandboxes, ns.name, sandbox)) === undefined, { timeoutMs: 60_000 });
  });

  test('Retain deletes the sandbox and keeps the claim as ClaimExpired', async () => {
    const sandbox = await expiringClaim('exp-retain', 'Retain');
    const claim = await waitForReason('exp-retain', 'ClaimExpired');
    expect(readyCondition(claim)).toMatchObject({ status: 'False', message: 'Claim expired. Sandbox cleanup initiated.' });
    await waitFor(`sandbox ${sandbox} deleted`, async () => (await ctx.client.getOrUndefined(Resources.sandboxes, ns.name, sandbox)) === undefined, { timeoutMs: 60_000 });
    expect(await getClaim('exp-retain')).toBeDefined();
  });
});

describe('env injection', () => {
  beforeAll(async () => {
    await ctx.client.create(Resources.sandboxTemplates, templateObject(ns.name, 'env-allowed', { envVarsInjectionPolicy: 'Allowed' }));
    await ctx.client.create(Resources.sandboxWarmPools, poolObject(ns.name, 'env-allowed', 'env-allowed', 1));
    await ctx.client.create(Resources.sandboxTemplates, templateObject(ns.name, 'env-closed'));
    await ctx.client.create(Resources.sandboxWarmPools, poolObject(ns.name, 'env-closed', 'env-closed', 0));
    await waitForPoolReady(ctx.client, ns.name, 'env-allowed', 1);
  });

  test('Allowed: the claim cold-starts (skipping the ready warm member) with its variable in the first container', async () => {
    await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, 'env-ok', 'env-allowed', { env: [{ name: 'TASK_ID', value: '42' }] }));
    const [claim] = await waitForClaimsReady(ctx.client, ns.name, ['env-ok']);
    expect(claim.status?.sandbox?.name).toBe('env-ok');
    const sandbox = await ctx.client.get<Sandbox>(Resources.sandboxes, ns.name, 'env-ok');
    expect(sandbox.spec.podTemplate.spec.containers[0].env).toEqual([{ name: 'TASK_ID', value: '42' }]);
    expect(sandbox.metadata.labels?.['agents.x-k8s.io/launch-type']).toBe('cold');
  });

  test('Disallowed (default): EnvVarsInjectionRejected and no sandbox', async () => {
    await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, 'env-no', 'env-closed', { env: [{ name: 'TASK_ID', value: '42' }] }));
    const claim = await waitForReason('env-no', 'EnvVarsInjectionRejected');
    expect(readyCondition(claim)?.message).toContain('envVarsInjectionPolicy Disallowed');
    expect(await ctx.client.getOrUndefined(Resources.sandboxes, ns.name, 'env-no')).toBeUndefined();
  });

  test('an unknown target container is a ReconcilerError naming the container', async () => {
    await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, 'env-bad', 'env-allowed', { env: [{ name: 'A', value: 'b', containerName: 'nope' }] }));
    const claim = await waitForReason('env-bad', 'ReconcilerError');
    expect(readyCondition(claim)?.message).toContain('container "nope" not found');
  });
});

test('a pod template the API server refuses ends in InvalidConfiguration on Sandbox and claim, without retrying', async () => {
  // The CRD schema cannot check container names; the Pod's own validation refuses this one (422).
  await ctx.client.create(Resources.sandboxTemplates, templateObject(ns.name, 'invalid', {
    podTemplate: { spec: { containers: [{ name: 'Not_A_DNS_Label', image: 'example.invalid/agent:1' }] } },
  }));
  await ctx.client.create(Resources.sandboxWarmPools, poolObject(ns.name, 'invalid', 'invalid', 0));
  await ctx.client.create(Resources.sandboxClaims, claimObject(ns.name, 'invalid', 'invalid'));
  const claim = await waitForReason('invalid', 'InvalidConfiguration');
  expect(readyCondition(claim)).toMatchObject({ status: 'False' });
  expect(readyCondition(claim)?.message).toContain('spec.containers[0].name');
  const sandbox = await ctx.client.get<Sandbox>(Resources.sandboxes, ns.name, claim.status!.sandbox!.name!);
  expect(sandbox.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidConfiguration' });
  // Permanent: the controller does not requeue it (a spec change would queue a new pass).
  const podCreates = () => ctx.controller!.metric('rest_client_requests_total', { code: '422', verb: 'create', resource: 'pods' });
  const before = await podCreates();
  expect(before).toBeGreaterThanOrEqual(1);
  await new Promise((r) => setTimeout(r, 3000));
  expect(await podCreates()).toBe(before);
});
