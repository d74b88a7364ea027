// The installation builder: flags become args, invalid flags are named, RBAC is least-privilege, the
// controller pod is locked down, and optional objects appear only when asked for.

import { buildSystem, CORE_CONTROLLER_RULES, DEFAULT_CONTROLLER_IMAGE, EXTENSIONS_CONTROLLER_RULES, PACKAGE_VERSION, portOf, systemProblems } from '../../../lib/builders';
import pkg from '../../../package.json';

const find = (objects: any[], kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

describe('buildSystem', () => {
  test('defaults: CRDs first, namespace, extensions and leader election on, versioned image', () => {
    const objects: any[] = buildSystem();
    expect(objects.map((o) => o.kind)).toEqual([
      ...Array(4).fill('CustomResourceDefinition'), 'Namespace', 'PriorityClass', 'ServiceAccount',
      'ClusterRole', 'ClusterRoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding',
      'Deployment', 'Service', 'NetworkPolicy', 'PodDisruptionBudget',
    ]);
    const container = find(objects, 'Deployment').spec.template.spec.containers[0];
    expect(container.args).toEqual(['--conversion-webhook-hosts=agent-sandbox-controller.agent-sandbox-system.svc', '--leader-elect=true', '--extensions=true']);
    expect(container.image).toBe(`ghcr.io/agent-sandbox-kit/controller:${pkg.version}`);
    expect(DEFAULT_CONTROLLER_IMAGE).toContain(PACKAGE_VERSION);
    expect(find(objects, 'Namespace').metadata.name).toBe('agent-sandbox-system');
  });

  test('every flag prop is rendered as its flag, in table order', () => {
    const objects: any[] = buildSystem({ flags: {
      kubeApiQps: 50, kubeApiBurst: 100, sandboxWarmPoolReadinessGracePeriod: '10m', zapLogLevel: 'debug', extensions: false, sandboxStatusCoalesceWindow: '0s',
    } });
    expect(find(objects, 'Deployment').spec.template.spec.containers[0].args).toEqual([
      '--conversion-webhook-hosts=agent-sandbox-controller.agent-sandbox-system.svc', '--leader-elect=true', '--extensions=false', '--kube-api-qps=50', '--kube-api-burst=100', '--sandbox-status-coalesce-window=0s',
      '--sandbox-warm-pool-readiness-grace-period=10m', '--zap-log-level=debug',
    ]);
    // Without extensions only the core ClusterRole (and the webhook's caBundle role) is emitted.
    expect(objects.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name)).toEqual(['agent-sandbox-controller', 'agent-sandbox-controller-ca-bundle']);
  });

  test('conversion webhook: Service port, CRDs pointing at it, and get/patch rights on our four CRDs only', () => {
    const objects: any[] = buildSystem({ namespace: 'sbx-system' });
    expect(find(objects, 'CustomResourceDefinition').spec.conversion.webhook.clientConfig).toEqual({
      service: { namespace: 'sbx-system', name: 'agent-sandbox-controller', port: 443, path: '/convert' },
    });
    expect(find(objects, 'Service').spec.ports).toContainEqual({ name: 'webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' });
    expect(find(objects, 'Deployment').spec.template.spec.containers[0].ports).toContainEqual({ name: 'webhook', containerPort: 9443, protocol: 'TCP' });
    expect(find(objects, 'ClusterRole', 'agent-sandbox-controller-ca-bundle').rules).toEqual([{
      apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'patch'],
      resourceNames: ['sandboxes.agents.x-k8s.io', 'sandboxtemplates.extensions.agents.x-k8s.io', 'sandboxwarmpools.extensions.agents.x-k8s.io', 'sandboxclaims.extensions.agents.x-k8s.io'],
    }]);
  });

  test('conversionCertificates cert-manager: Certificate mounted, CA injected, no CRD rights', () => {
    const objects: any[] = buildSystem({ conversionCertificates: 'cert-manager' });
    expect(find(objects, 'Certificate').spec).toEqual({
      secretName: 'agent-sandbox-controller-webhook-tls', dnsNames: ['agent-sandbox-controller.agent-sandbox-system.svc'],
      issuerRef: { kind: 'Issuer', name: 'agent-sandbox-controller-webhook' },
    });
    expect(find(objects, 'CustomResourceDefinition').metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'agent-sandbox-system/agent-sandbox-controller-webhook' });
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(pod.containers[0].args).toEqual(expect.arrayContaining(['--conversion-webhook-cert-dir=/tls', '--conversion-webhook-manage-ca-bundle=false']));
    expect(pod.volumes).toContainEqual({ name: 'webhook-tls', secret: { secretName: 'agent-sandbox-controller-webhook-tls' } });
    expect(find(objects, 'ClusterRole', 'agent-sandbox-controller-ca-bundle')).toBeUndefined();
  });

  test('invalid flag values are reported with prop and flag name', () => {
    const props = { flags: { sandboxConcurrentWorkers: 0, kubeApiBurst: -1, sandboxWarmPoolReadinessGracePeriod: 'soon', metricsBindAddress: 'localhost', sandboxStatusCoalesceWindow: '1 second' } };
    expect(systemProblems(props)).toEqual([
      expect.stringContaining('flags.sandboxConcurrentWorkers (--sandbox-concurrent-workers) must be >= 1'),
      expect.stringContaining('flags.kubeApiBurst (--kube-api-burst) must be >= 1'),
      expect.stringContaining('flags.sandboxWarmPoolReadinessGracePeriod (--sandbox-warm-pool-readiness-grace-period) must be a duration'),
      expect.stringContaining('flags.sandboxStatusCoalesceWindow (--sandbox-status-coalesce-window) must be a duration'),
      'flags.metricsBindAddress "localhost" must end in a port, e.g. ":8080"',
    ]);
    expect(() => buildSystem(props)).toThrow(/^AgentSandboxSystem: .*--sandbox-concurrent-workers/);
  });

  test('replicas > 1 forces leader election; explicitly disabling it is an error', () => {
    const objects: any[] = buildSystem({ replicas: 3 });
    expect(find(objects, 'Deployment').spec.replicas).toBe(3);
    expect(find(objects, 'Deployment').spec.template.spec.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'agent-sandbox-controller' } } },
    ]);
    expect(find(buildSystem(), 'Deployment').spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(systemProblems({ replicas: 2, flags: { leaderElect: false } })).toEqual([expect.stringMatching(/flags\.leaderElect \(--leader-elect\) must not be false with replicas=2/)]);
    expect(systemProblems({ replicas: 0, namespace: 'Bad_NS', image: ' ' })).toEqual([
      'replicas must be an integer >= 1 (got 0)', expect.stringContaining('namespace "Bad_NS" must be a DNS-1123 label'), 'image must not be empty',
    ]);
  });

  test('RBAC: no secrets, no CRD writes, leases only in the controller namespace', () => {
    const rules = [...CORE_CONTROLLER_RULES, ...EXTENSIONS_CONTROLLER_RULES];
    expect(rules.flatMap((r) => r.resources)).not.toContain('secrets');
    expect(rules.flatMap((r) => r.apiGroups)).not.toContain('apiextensions.k8s.io');
    expect(rules.flatMap((r) => r.apiGroups)).not.toContain('coordination.k8s.io');
    expect(rules.every((r) => !r.verbs.includes('*') && !r.resources!.includes('*'))).toBe(true);
    const pvc = CORE_CONTROLLER_RULES.find((r) => r.resources!.includes('persistentvolumeclaims'))!;
    expect(pvc.verbs).not.toContain('delete');
    const objects: any[] = buildSystem({ namespace: 'sandboxes-system' });
    const role = find(objects, 'Role');
    expect([role.metadata.namespace, role.rules[0].resources]).toEqual(['sandboxes-system', ['leases']]);
    expect(find(objects, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'agent-sandbox-controller', namespace: 'sandboxes-system' }]);
    const elsewhere: any[] = buildSystem({ flags: { leaderElectionNamespace: 'leases' } });
    expect(find(elsewhere, 'Role').metadata.namespace).toBe('leases');
  });

  test('controller pod: restricted security context, token mounted only on the pod, probes on the health port', () => {
    const objects: any[] = buildSystem({ flags: { healthProbeBindAddress: ':9440' }, nodeSelector: { pool: 'system' }, imagePullSecrets: ['regcred'], priorityClassName: 'system-cluster-critical' });
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(pod).toMatchObject({
      automountServiceAccountToken: true, nodeSelector: { pool: 'system' }, imagePullSecrets: [{ name: 'regcred' }], priorityClassName: 'system-cluster-critical',
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    });
    const [container] = pod.containers;
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } });
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }, { name: 'health', containerPort: 9440, protocol: 'TCP' }, { name: 'webhook', containerPort: 9443, protocol: 'TCP' }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
  });

  test('optional objects: ServiceMonitor on request; PDB, namespace and CRDs can be left out', () => {
    const objects: any[] = buildSystem({ serviceMonitor: { interval: '15s', labels: { release: 'prom' } }, podDisruptionBudget: false, createNamespace: false, installCrds: false });
    expect(objects.map((o) => o.kind)).not.toEqual(expect.arrayContaining(['PodDisruptionBudget']));
    expect(objects.some((o) => o.kind === 'Namespace' || o.kind === 'CustomResourceDefinition')).toBe(false);
    expect(find(objects, 'ServiceMonitor')).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', metadata: { labels: { release: 'prom' } }, spec: { endpoints: [{ port: 'metrics', interval: '15s' }] } });
  });

  test('portOf reads Go listen addresses', () => {
    expect([portOf(':8080'), portOf('0.0.0.0:9090'), portOf('localhost'), portOf(':0')]).toEqual([8080, 9090, NaN, NaN]);
  });
});
