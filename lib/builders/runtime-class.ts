// RuntimeClasses that give sandboxes their isolation (gVisor, Kata), with pod overhead so the scheduler
// and quotas count the runtime's own cost, and node scheduling so pods only land where the runtime exists.

import type { Toleration } from 'kubernetes-types/core/v1';
import type { RuntimeClass } from 'kubernetes-types/node/v1';
import { RUNTIME_NODE_LABEL } from '../api';
import { assertNoProblems, Built, dnsSubdomainProblem, quantityMapProblems } from './manifest';

export interface RuntimeClassProps {
  /** RuntimeClass name, referenced by `runtimeClassName` in pod specs. */
  readonly name: string;
  /** CRI handler configured on the nodes (e.g. `runsc`, `kata-qemu`). */
  readonly handler: string;
  /** Fixed per-pod resource overhead of the runtime, e.g. `{ cpu: '250m', memory: '160Mi' }`. @default - none */
  readonly overhead?: Record<string, string>;
  /** Labels a node must carry to run this runtime. @default - none */
  readonly nodeSelector?: Record<string, string>;
  /** Taints of those nodes that pods of this class tolerate. @default - none */
  readonly tolerations?: readonly Toleration[];
}

/** Overrides accepted by the presets; anything left out keeps the preset's value. */
export type RuntimeClassOverrides = Partial<RuntimeClassProps>;

/** Node scheduling for a runtime family: nodes labelled and tainted `agent-sandbox-kit.dev/runtime=<family>`. */
function nodesWithRuntime(family: string): Pick<RuntimeClassProps, 'nodeSelector' | 'tolerations'> {
  return {
    nodeSelector: { [RUNTIME_NODE_LABEL]: family },
    tolerations: [{ key: RUNTIME_NODE_LABEL, operator: 'Equal', value: family, effect: 'NoSchedule' }],
  };
}

export type KataHypervisor = 'qemu' | 'clh' | 'fc';

// Overheads follow the values kata-deploy and GKE Sandbox ship for their RuntimeClasses.
const KATA_OVERHEAD: Record<KataHypervisor, Record<string, string>> = {
  qemu: { cpu: '250m', memory: '160Mi' },
  clh: { cpu: '250m', memory: '130Mi' },
  fc: { cpu: '250m', memory: '130Mi' },
};

/** gVisor (handler `runsc`). */
export function gvisorRuntimeClass(overrides: RuntimeClassOverrides = {}): RuntimeClassProps {
  return { name: 'gvisor', handler: 'runsc', overhead: { cpu: '100m', memory: '64Mi' }, ...nodesWithRuntime('gvisor'), ...overrides };
}

/** Kata Containers with the given hypervisor (handler `kata-<hypervisor>`). */
export function kataRuntimeClass(hypervisor: KataHypervisor, overrides: RuntimeClassOverrides = {}): RuntimeClassProps {
  const name = `kata-${hypervisor}`;
  return { name, handler: name, overhead: KATA_OVERHEAD[hypervisor], ...nodesWithRuntime('kata'), ...overrides };
}

export function runtimeClassProblems(props: RuntimeClassProps): string[] {
  const problems = [dnsSubdomainProblem('name', props.name)];
  // The API server requires a DNS-1123 label for handlers.
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.handler)) problems.push(`handler ${JSON.stringify(props.handler)} must be a DNS-1123 label`);
  problems.push(...quantityMapProblems('overhead', props.overhead));
  return problems.filter((p): p is string => p !== undefined);
}

export function buildRuntimeClass(props: RuntimeClassProps): Built<RuntimeClass> {
  assertNoProblems(`RuntimeClass ${props.name}`, runtimeClassProblems(props));
  const hasScheduling = Object.keys(props.nodeSelector ?? {}).length > 0 || (props.tolerations ?? []).length > 0;
  return {
    apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass',
    metadata: { name: props.name },
    handler: props.handler,
    ...(props.overhead && Object.keys(props.overhead).length > 0 ? { overhead: { podFixed: { ...props.overhead } } } : {}),
    ...(hasScheduling ? { scheduling: { ...(props.nodeSelector ? { nodeSelector: { ...props.nodeSelector } } : {}), ...(props.tolerations ? { tolerations: [...props.tolerations] } : {}) } } : {}),
  };
}
