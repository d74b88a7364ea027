// Security contexts every workload the kit itself runs gets: non-root, read-only root filesystem, no
// capabilities, RuntimeDefault seccomp and no privilege escalation (Pod Security "restricted").

import type { PodSecurityContext, SecurityContext } from 'kubernetes-types/core/v1';

/** Unprivileged uid/gid of distroless "nonroot" images. */
export const NONROOT_ID = 65532;

export function restrictedPodSecurityContext(): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: NONROOT_ID,
    runAsGroup: NONROOT_ID,
    fsGroup: NONROOT_ID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurityContext(): SecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
