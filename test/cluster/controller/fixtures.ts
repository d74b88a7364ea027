// Sandbox manifests and status probes for the controller's cluster tests and benches.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Sandbox, SandboxSpec } from '../../../lib/api/types';
import { getObject, kubectl, waitFor, type WaitOptions } from '../harness';

export function sandboxManifest(namespace: string, name: string, spec: Partial<SandboxSpec> = {}, labels: Record<string, string> = {}): Sandbox {
  return {
    apiVersion: 'agents.x-k8s.io/v1beta1',
    kind: 'Sandbox',
    metadata: { name, namespace, labels },
    spec: {
      podTemplate: { spec: { containers: [{ name: 'main', image: 'registry.example/agent:1', ports: [{ containerPort: 8888 }] }] } },
      ...spec,
    },
  };
}

export function condition(obj: Sandbox | undefined, type: string) {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

export function getSandbox(namespace: string, name: string): Promise<Sandbox | undefined> {
  return getObject<Sandbox>('sandboxes.agents.x-k8s.io', name, { namespace });
}

export function getPod(namespace: string, name: string): Promise<Pod | undefined> {
  return getObject<Pod>('pod', name, { namespace });
}

/** Waits until the Sandbox's Ready condition has `reason` (and returns the Sandbox). */
export function waitForReady(namespace: string, name: string, reason = 'DependenciesReady', options: WaitOptions = {}): Promise<Sandbox> {
  return waitFor(`Sandbox ${namespace}/${name} Ready reason ${reason}`, async () => {
    const sb = await getSandbox(namespace, name);
    return condition(sb, 'Ready')?.reason === reason ? sb : undefined;
  }, { timeoutMs: 60_000, ...options });
}

/** Pods in `namespace` (optionally by label selector). */
export async function listPods(namespace: string, selector?: string): Promise<Pod[]> {
  const args = ['get', 'pods', '-n', namespace, '-o', 'json'];
  if (selector) args.push('-l', selector);
  return (JSON.parse(await kubectl(args)) as { items: Pod[] }).items;
}
