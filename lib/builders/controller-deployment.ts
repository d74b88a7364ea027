// The controller Deployment: args rendered from the shared flag table, probes on the health port,
// restricted security context, and the service-account token mounted explicitly (it talks to the API).

import type { Deployment } from 'kubernetes-types/apps/v1';
import type { ResourceRequirements } from 'kubernetes-types/core/v1';
import { renderControllerArgs } from '../api';
import { exemptionAnnotations } from '../policy/exemptions';
import { RULE } from '../policy/rule-ids';
import { Built, compact } from './manifest';
import { CONTROLLER_POD_LABELS } from '../api/metadata-keys';
import { PLATFORM_PRIORITY_CLASS_NAME } from './platform';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './secure-defaults';
import { CONTROLLER_NAME, WEBHOOK_CERT_DIR, type AgentSandboxSystemProps, type ResolvedSystemProps } from './system-props';

export { CONTROLLER_NAME };

/** The Secret cert-manager writes the webhook certificate into (`conversionCertificates: 'cert-manager'`). */
export const WEBHOOK_TLS_SECRET = `${CONTROLLER_NAME}-webhook-tls`;

/** Labels selecting the controller pods (stable: changing a Deployment selector is not allowed). */
export function controllerSelector(): Record<string, string> {
  return { ...CONTROLLER_POD_LABELS };
}

/** Labels on every object of the installation. */
export function controllerLabels(): Record<string, string> {
  return { ...controllerSelector(), 'app.kubernetes.io/part-of': 'agent-sandbox' };
}

// ephemeral-storage: the 64Mi /tmp volume plus logs.
const DEFAULT_RESOURCES: ResourceRequirements = {
  requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '256Mi' },
  limits: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '256Mi' },
};

/** The controller is trusted infrastructure, not a sandbox: these two guardrails do not apply to it. */
const CONTROLLER_EXEMPTIONS = {
  [RULE.runtimeClass]: 'The controller is a trusted system component, not untrusted agent code; it runs on the default runtime.',
  [RULE.noServiceAccountToken]: 'The controller reconciles sandboxes through the Kubernetes API and needs its service-account token.',
};

export function controllerDeployment(r: ResolvedSystemProps, props: AgentSandboxSystemProps): Built<Deployment> {
  const labels = controllerLabels();
  const certManager = r.conversionCertificates === 'cert-manager';
  const probe = (path: string, initialDelaySeconds: number, periodSeconds: number) => ({
    httpGet: { path, port: 'health' }, initialDelaySeconds, periodSeconds,
  });
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: CONTROLLER_NAME, namespace: r.namespace, labels, annotations: exemptionAnnotations(CONTROLLER_EXEMPTIONS) },
    spec: {
      replicas: r.replicas,
      selector: { matchLabels: controllerSelector() },
      template: {
        metadata: { labels },
        spec: compact({
          serviceAccountName: CONTROLLER_NAME,
          automountServiceAccountToken: true,
          securityContext: restrictedPodSecurityContext(),
          priorityClassName: props.priorityClassName ?? PLATFORM_PRIORITY_CLASS_NAME,
          nodeSelector: props.nodeSelector,
          tolerations: props.tolerations ? [...props.tolerations] : undefined,
          // Replicas on different nodes, so one node drain or failure never takes every replica (best effort).
          topologySpreadConstraints: r.replicas > 1
            ? [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: controllerSelector() } }]
            : undefined,
          imagePullSecrets: props.imagePullSecrets?.map((name) => ({ name })),
          containers: [{
            name: 'controller',
            image: r.image,
            imagePullPolicy: r.imagePullPolicy,
            args: renderControllerArgs(r.flags),
            env: [
              { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            ports: [
              { name: 'metrics', containerPort: r.metricsPort, protocol: 'TCP' },
              { name: 'health', containerPort: r.healthPort, protocol: 'TCP' },
              ...(Number.isNaN(r.webhookPort) ? [] : [{ name: 'webhook', containerPort: r.webhookPort, protocol: 'TCP' }]),
            ],
            livenessProbe: probe('/healthz', 15, 20),
            readinessProbe: probe('/readyz', 5, 10),
            resources: props.resources ?? DEFAULT_RESOURCES,
            securityContext: restrictedContainerSecurityContext(),
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(certManager ? [{ name: 'webhook-tls', mountPath: WEBHOOK_CERT_DIR, readOnly: true }] : [])],
          }],
          // Writable scratch space despite the read-only root filesystem.
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }, ...(certManager ? [{ name: 'webhook-tls', secret: { secretName: WEBHOOK_TLS_SECRET } }] : [])],
        }),
      },
    },
  };
}
