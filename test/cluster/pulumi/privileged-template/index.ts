// A hand-written SandboxTemplate whose container runs privileged; see Pulumi.yaml next to this file.
import * as k8s from '@pulumi/kubernetes';

new k8s.apiextensions.CustomResource('privileged', {
  apiVersion: 'extensions.agents.x-k8s.io/v1beta1',
  kind: 'SandboxTemplate',
  metadata: { name: 'privileged', namespace: 'research' },
  spec: {
    podTemplate: {
      spec: {
        runtimeClassName: 'gvisor',
        automountServiceAccountToken: false,
        containers: [{
          name: 'agent',
          image: 'ghcr.io/agent-sandbox-kit/python-runtime:3.12',
          resources: { limits: { cpu: '1', memory: '1Gi' } },
          securityContext: { privileged: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
        }],
      },
    },
  },
});
