// A sandbox template and pool around a given pod spec (test/support/objects has the compliant one), for rule tests to
// break one field at a time.
import type { PodSpec } from 'kubernetes-types/core/v1';

export function templateWith(spec: PodSpec, annotations?: Record<string, string>) {
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate',
    metadata: { name: 'python', namespace: 'team-a', ...(annotations ? { annotations } : {}) },
    spec: { podTemplate: { spec } },
  };
}

export function poolWith(replicas: number | undefined) {
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool',
    metadata: { name: 'python', namespace: 'team-a' },
    spec: { ...(replicas === undefined ? {} : { replicas }), sandboxTemplateRef: { name: 'python' } },
  };
}
