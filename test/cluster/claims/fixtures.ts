// Shared setup for the claim cluster tests: an admin API client, template/pool/claim objects, and the invariant
// check "every claim has exactly one sandbox, every sandbox at most one claim".
import { LABEL } from '../../../lib/api/metadata-keys';
import type { Sandbox, SandboxClaim, SandboxClaimSpec, SandboxTemplate, SandboxTemplateSpec, SandboxWarmPool } from '../../../lib/api/types';
import { KubeClient } from '../../../lib/kube/client';
import { Resources } from '../../../lib/kube/resources';
import { adminKubeconfig, installControllerIdentity, startController, waitFor, type ControllerProcess, type WaitOptions } from '../harness';

export function adminClient(): Promise<KubeClient> {
  return KubeClient.create({ kubeconfig: adminKubeconfig() });
}

export function templateObject(namespace: string, name: string, spec: Partial<SandboxTemplateSpec> = {}): SandboxTemplate {
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate', metadata: { name, namespace },
    spec: { podTemplate: { spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1' }] } }, ...spec },
  };
}

export function poolObject(namespace: string, name: string, template: string, replicas: number): SandboxWarmPool {
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool', metadata: { name, namespace },
    spec: { replicas, sandboxTemplateRef: { name: template } },
  };
}

export function claimObject(namespace: string, name: string, pool: string, spec: Partial<SandboxClaimSpec> = {}): SandboxClaim {
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim', metadata: { name, namespace },
    spec: { warmPoolRef: { name: pool }, ...spec },
  };
}

export function readyCondition(claim: SandboxClaim | undefined) {
  return claim?.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Waits until the pool reports `n` ready members. */
export function waitForPoolReady(client: KubeClient, namespace: string, pool: string, n: number, options: WaitOptions = {}): Promise<SandboxWarmPool> {
  return waitFor(`pool ${pool} readyReplicas=${n}`, async () => {
    const p = await client.get<SandboxWarmPool>(Resources.sandboxWarmPools, namespace, pool);
    return p.status?.readyReplicas === n && p;
  }, { timeoutMs: 90_000, intervalMs: 250, ...options });
}

/** Creates template `name` and a pool `name` of it with `replicas` members, and waits until they are all Ready. */
export async function createReadyPool(client: KubeClient, namespace: string, name: string, replicas: number): Promise<void> {
  await client.create(Resources.sandboxTemplates, templateObject(namespace, name));
  await client.create(Resources.sandboxWarmPools, poolObject(namespace, name, name, replicas));
  await waitForPoolReady(client, namespace, name, replicas);
}

/** Waits until every listed claim is Ready=True; returns them. */
export function waitForClaimsReady(client: KubeClient, namespace: string, names: string[], options: WaitOptions = {}): Promise<SandboxClaim[]> {
  return waitFor(`${names.length} claims Ready`, async () => {
    const list = await client.list<SandboxClaim>(Resources.sandboxClaims, { namespace });
    const wanted = list.items.filter((c) => names.includes(c.metadata.name!));
    const ready = wanted.filter((c) => readyCondition(c)?.status === 'True');
    return ready.length === names.length && ready;
  }, { timeoutMs: 120_000, intervalMs: 250, ...options });
}

export interface BindingReport {
  warm: number;
  cold: number;
  /** Problems found; empty when exactly-once holds. */
  problems: string[];
}

/**
 * Checks exactly-once from the API server's point of view: each claim's status names a sandbox controlled by that
 * claim, no claim controls two sandboxes (also counting claim-uid labels), no sandbox has two claim owners.
 */
export async function checkBindings(client: KubeClient, namespace: string, claims: SandboxClaim[]): Promise<BindingReport> {
  const sandboxes = (await client.list<Sandbox>(Resources.sandboxes, { namespace })).items.filter((s) => !s.metadata.deletionTimestamp);
  const problems: string[] = [];
  let warm = 0;
  let cold = 0;
  for (const s of sandboxes) {
    const claimOwners = (s.metadata.ownerReferences ?? []).filter((r) => r.kind === 'SandboxClaim');
    if (claimOwners.length > 1) problems.push(`sandbox ${s.metadata.name} has ${claimOwners.length} claim owners`);
  }
  for (const claim of claims) {
    const uid = claim.metadata.uid!;
    const controlled = sandboxes.filter((s) => s.metadata.ownerReferences?.some((r) => r.controller && r.uid === uid));
    const labelled = sandboxes.filter((s) => s.metadata.labels?.[LABEL.claimUid] === uid);
    if (controlled.length !== 1) problems.push(`claim ${claim.metadata.name} controls ${controlled.length} sandboxes`);
    if (labelled.length !== 1) problems.push(`claim ${claim.metadata.name} has ${labelled.length} sandboxes labelled with its uid`);
    const bound = controlled[0];
    if (bound && claim.status?.sandbox?.name !== bound.metadata.name) problems.push(`claim ${claim.metadata.name} status names ${claim.status?.sandbox?.name}, owns ${bound.metadata.name}`);
    if (bound?.metadata.labels?.[LABEL.launchType] === 'warm') warm++;
    else if (bound?.metadata.labels?.[LABEL.launchType] === 'cold') cold++;
  }
  return { warm, cold, problems };
}

export interface ClaimTestContext {
  readonly client: KubeClient;
  /** Kubeconfig of the controller's ServiceAccount (to restart it). */
  readonly kubeconfig: string;
  /** The running controller; tests may kill and replace it. */
  controller?: ControllerProcess;
}

/** beforeAll/afterAll: an admin client and our controller (with `args`) running as its ServiceAccount. */
export function useClaimController(args: string[] = []): ClaimTestContext {
  const ctx = {} as { client: KubeClient; kubeconfig: string; controller?: ControllerProcess };
  beforeAll(async () => {
    ctx.client = await adminClient();
    ctx.kubeconfig = await installControllerIdentity();
    ctx.controller = await startController({ kubeconfig: ctx.kubeconfig, args });
  });
  afterAll(async () => {
    await ctx.controller?.stop();
    ctx.client?.close();
  });
  return ctx;
}
