// What `npm run playground` deploys next to dist/'s platform chart, sized for one 2-core machine: the sandbox
// router (our SandboxRouter construct) and a demo team whose Python template runs under gVisor with a warm pool.
import type { ResourceRequirements } from 'kubernetes-types/core/v1';
import { App, Chart } from 'cdk8s';
import type { PodTemplate } from '../../lib/api';
import { SandboxRouter, TeamSandboxes } from '../../lib';
import { gvisorRuntimeClass } from '../../lib/builders/runtime-class';
import { PACKAGE_VERSION } from '../../lib/builders/package-version';

/** The demo team's namespace, template and pool names (the commands the playground prints use them). */
export const PLAYGROUND_TEAM = 'playground';
export const PLAYGROUND_POOL = 'python';
export const PLAYGROUND_WARM_POOL_REPLICAS = 2;

/**
 * A sandbox of our runtime image (Python 3, the in-sandbox runtime on port 8888) under gVisor: restricted security
 * context, no ServiceAccount token, workspace `/app` (the runtime's base directory) and `/tmp` as bounded emptyDirs.
 */
export function pythonSandboxPod(resources: ResourceRequirements): PodTemplate {
  return {
    metadata: { labels: { 'app.kubernetes.io/name': 'playground-python' } },
    spec: {
      runtimeClassName: gvisorRuntimeClass().name,
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'runtime',
        image: `ghcr.io/agent-sandbox-kit/runtime:${PACKAGE_VERSION}`,
        ports: [{ name: 'runtime', containerPort: 8888 }],
        readinessProbe: { httpGet: { path: '/', port: 'runtime' }, periodSeconds: 2 },
        resources,
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        volumeMounts: [{ name: 'workspace', mountPath: '/app' }, { name: 'tmp', mountPath: '/tmp' }],
      }],
      volumes: [{ name: 'workspace', emptyDir: { sizeLimit: '256Mi' } }, { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
    },
  };
}

/** Adds the router and the demo team to `app`. */
export function buildPlayground(app: App): void {
  const chart = new Chart(app, 'playground');
  // One small replica: the platform chart's two controller replicas and the warm pool share two cores.
  new SandboxRouter(chart, 'router', {
    replicas: 1,
    podDisruptionBudget: false,
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
  });
  const team = new TeamSandboxes(chart, 'demo', {
    name: PLAYGROUND_TEAM,
    agents: { groups: ['playground-agents'] },
    maxWarmPoolReplicas: PLAYGROUND_WARM_POOL_REPLICAS,
    guardrails: { allowedRuntimeClasses: [gvisorRuntimeClass().name], allowedRegistries: ['ghcr.io/agent-sandbox-kit'] },
  });
  team.addTemplate('python', {
    name: PLAYGROUND_POOL,
    podTemplate: pythonSandboxPod({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } }),
  }).addWarmPool('pool', { name: PLAYGROUND_POOL, replicas: PLAYGROUND_WARM_POOL_REPLICAS });
}
