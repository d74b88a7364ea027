// A compliant sandbox template and pool under the restricted profile, for rule tests to break one field at a time.
import type { PodSpec } from 'kubernetes-types/core/v1';

export function compliantPodSpec(): PodSpec {
  return {
    runtimeClassName: 'gvisor',
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: 'main',
      image: 'ghcr.io/acme/runtime:1',
      resources: { limits: { cpu: '1', memory: '1Gi' } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    }],
  };
}

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
