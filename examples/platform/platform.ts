// The example platform: an agent-sandbox installation with tuned controller flags, gVisor and Kata runtime
// classes, and two teams: `analytics` (Python code interpreter, warm pool of 5) and `browser` (headless
// Chromium on Kata). main.ts synthesizes it. CRDs, the controller and the router are in the first chart,
// which every other chart depends on, so they come first in apply order.

import type { Container, PodSpec } from 'kubernetes-types/core/v1';
import { App, Chart } from 'cdk8s';
import { AgentSandboxSystem, SandboxRouter, SandboxRuntimeClass, TeamSandboxes } from '../../lib';

/** Pod settings every sandbox here shares: restricted security context, no token, bounded resources. */
function sandboxPod(runtimeClassName: string, container: Container): PodSpec {
  return {
    runtimeClassName,
    automountServiceAccountToken: false,
    // A high uid that maps to no user on the node (65532: the runtime image's own user).
    securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      ...container,
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      volumeMounts: [{ name: 'workspace', mountPath: '/app' }, { name: 'tmp', mountPath: '/tmp' }],
    }],
    volumes: [{ name: 'workspace', emptyDir: { sizeLimit: '1Gi' } }, { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
  };
}

/** Adds the example platform's charts to `app`. */
export function buildPlatform(app: App): void {
  const platform = new Chart(app, 'platform');
  const system = new AgentSandboxSystem(platform, 'system', {
    replicas: 2,
    flags: {
      sandboxConcurrentWorkers: 200,
      sandboxClaimConcurrentWorkers: 100,
      sandboxWarmPoolConcurrentWorkers: 4,
      sandboxWarmPoolMaxBatchSize: 50,
      sandboxWarmPoolReadinessGracePeriod: '10m',
      kubeApiQps: 100,
      kubeApiBurst: 200,
      zapLogLevel: 'info',
    },
    resources: { requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '256Mi' }, limits: { cpu: '2', memory: '1Gi', 'ephemeral-storage': '256Mi' } },
  });
  // The team NetworkPolicies admit sandbox traffic only from the router, so a platform deploys one.
  new SandboxRouter(platform, 'router', { namespace: system.namespace });
  const gvisor = SandboxRuntimeClass.gvisor(platform, 'gvisor');
  const kata = SandboxRuntimeClass.kata(platform, 'kata-qemu', 'qemu');

  const analyticsChart = new Chart(app, 'team-analytics');
  analyticsChart.addDependency(platform);
  const analytics = new TeamSandboxes(analyticsChart, 'analytics', {
    name: 'analytics',
    agents: { groups: ['analytics-agents'], serviceAccounts: ['code-agent'] },
    maxWarmPoolReplicas: 10,
    guardrails: { allowedRuntimeClasses: [gvisor.name, kata.name], allowedRegistries: ['ghcr.io/agent-sandbox-kit'] },
    systemNamespace: system.namespace,
  });
  analytics.addTemplate('python', {
    name: 'python-code-interpreter',
    podTemplate: {
      metadata: { labels: { 'app.kubernetes.io/name': 'python-code-interpreter' } },
      spec: sandboxPod(gvisor.name, {
        name: 'runtime',
        image: 'ghcr.io/agent-sandbox-kit/runtime:0.1.0',
        ports: [{ name: 'runtime', containerPort: 8888 }],
        readinessProbe: { httpGet: { path: '/', port: 'runtime' }, periodSeconds: 2 },
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      }),
    },
  }).addWarmPool('pool', { name: 'python-code-interpreter', replicas: 5 });

  const browserChart = new Chart(app, 'team-browser');
  browserChart.addDependency(platform);
  const browser = new TeamSandboxes(browserChart, 'browser', {
    name: 'browser',
    agents: { groups: ['browser-agents'] },
    maxWarmPoolReplicas: 5,
    guardrails: { allowedRuntimeClasses: [kata.name], allowedRegistries: ['ghcr.io/agent-sandbox-kit'] },
    systemNamespace: system.namespace,
  });
  browser.addTemplate('chromium', {
    name: 'headless-chromium',
    podTemplate: {
      spec: sandboxPod(kata.name, {
        name: 'chromium',
        image: 'ghcr.io/agent-sandbox-kit/headless-chromium:0.1.0',
        args: ['--headless=new', '--remote-debugging-address=0.0.0.0', '--remote-debugging-port=9222'],
        ports: [{ name: 'cdp', containerPort: 9222 }],
        // A warm member is claimable only once Chromium answers on its DevTools port.
        readinessProbe: { httpGet: { path: '/json/version', port: 'cdp' }, periodSeconds: 2 },
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      }),
    },
    // Browsers reach the public web but not cluster-internal or link-local addresses.
    networkPolicy: {
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] } }] }],
    },
  }).addWarmPool('pool', { name: 'headless-chromium', replicas: 2 });
}
