// Sandbox objects for the reconciler unit tests.
import type { Sandbox, SandboxSpec } from '../../../lib/api/types';

export function sandbox(spec: Partial<SandboxSpec> = {}, meta: Partial<Sandbox['metadata']> = {}): Sandbox {
  return {
    apiVersion: 'agents.x-k8s.io/v1beta1',
    kind: 'Sandbox',
    metadata: { name: 'box', namespace: 'ns', uid: 'uid-box', generation: 3, ...meta },
    spec: { podTemplate: { spec: { containers: [{ name: 'main', image: 'img' }] } }, ...spec },
  };
}
