// Objects the bench scenarios create: a minimal template, a pool of it, claims against it.
import type { SandboxClaim, SandboxTemplate, SandboxWarmPool } from '../../lib/api/types';
import type { KubeClient } from '../../lib/kube/client';
import { Resources } from '../../lib/kube/resources';

export async function createTemplateAndPool(client: KubeClient, namespace: string, name: string, replicas: number): Promise<void> {
  const template: SandboxTemplate = {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate', metadata: { name, namespace },
    spec: { podTemplate: { spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1' }] } } },
  };
  const pool: SandboxWarmPool = {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool', metadata: { name, namespace },
    spec: { replicas, sandboxTemplateRef: { name } },
  };
  await client.create(Resources.sandboxTemplates, template);
  await client.create(Resources.sandboxWarmPools, pool);
}

export function claim(namespace: string, name: string, pool: string): SandboxClaim {
  return { apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim', metadata: { name, namespace }, spec: { warmPoolRef: { name: pool } } };
}

/** Polls the pool until `readyReplicas` reaches `n`; returns the elapsed ms. */
export async function waitForPoolReady(client: KubeClient, namespace: string, name: string, n: number, timeoutMs = 300_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const pool = await client.get<SandboxWarmPool>(Resources.sandboxWarmPools, namespace, name);
    if ((pool.status?.readyReplicas ?? 0) >= n) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`pool ${namespace}/${name}: ${pool.status?.readyReplicas ?? 0}/${n} ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Calls `create(i)` for i in [0, count) at `perSecond` (0 = one after another, awaiting each). */
export async function paced(count: number, perSecond: number, create: (i: number) => Promise<void>): Promise<void> {
  if (perSecond <= 0) {
    for (let i = 0; i < count; i++) await create(i);
    return;
  }
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(create(i));
  }
  await Promise.all(inFlight);
}
