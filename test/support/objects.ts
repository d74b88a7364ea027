// Object factories for tests: our four kinds built by lib/builders (so they pass the same checks users' objects do),
// around one pod spec that satisfies the restricted guardrail profile. Tests change one field of what these return.
import type { PodSpec } from 'kubernetes-types/core/v1';
import type { Sandbox, SandboxClaim, SandboxTemplate, SandboxWarmPool } from '../../lib/api';
import {
  buildSandbox, buildSandboxClaim, buildSandboxTemplate, buildSandboxWarmPool,
  type SandboxClaimProps, type SandboxProps, type SandboxTemplateProps, type SandboxWarmPoolProps,
} from '../../lib/builders/sandbox-resources';

/** The namespace the factories use unless told otherwise. */
export const TEST_NAMESPACE = 'team-a';

/** A pod spec the restricted profile accepts: gVisor, non-root, no token, no escalation, limits set. */
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

export function sandboxObject(name: string, props: Partial<SandboxProps> = {}): Sandbox {
  return buildSandbox({ name, namespace: TEST_NAMESPACE, podTemplate: { spec: compliantPodSpec() }, ...props });
}

export function templateObject(name: string, props: Partial<SandboxTemplateProps> = {}): SandboxTemplate {
  return buildSandboxTemplate({ name, namespace: TEST_NAMESPACE, podTemplate: { spec: compliantPodSpec() }, ...props });
}

export function warmPoolObject(name: string, templateName: string, props: Partial<SandboxWarmPoolProps> = {}): SandboxWarmPool {
  return buildSandboxWarmPool({ name, namespace: TEST_NAMESPACE, templateName, ...props });
}

export function claimObject(name: string, warmPoolName: string, props: Partial<SandboxClaimProps> = {}): SandboxClaim {
  return buildSandboxClaim({ name, namespace: TEST_NAMESPACE, warmPoolName, ...props });
}
