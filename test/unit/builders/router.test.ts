// Router manifests: labels template NetworkPolicies admit, least-privilege RBAC, restricted pod, egress
// confined to sandbox pods/DNS/API server, and validation naming the field.
import { Chart, Testing } from 'cdk8s';
import { buildRouter, routerProblems } from '../../../lib/builders/router';
import { SandboxRouter } from '../../../lib/cdk8s/sandbox-router';

const byKind = (objects: Array<{ kind: string }>, kind: string): any => objects.find((o) => o.kind === kind);

test('defaults: agent-sandbox-system, app: sandbox-router, tokenreview + access-review RBAC, restricted pod', () => {
  const objects = buildRouter();
  expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy']);
  const deployment = byKind(objects, 'Deployment');
  expect(deployment.metadata.namespace).toBe('agent-sandbox-system');
  expect(deployment.spec.template.metadata.labels.app).toBe('sandbox-router');
  expect(deployment.spec.template.spec.containers[0].args).toContain('--authz-mode=tokenreview');
  // Upstream's Python SDK tunnels through `kubectl port-forward`, which the API server has already authorized.
  expect(deployment.spec.template.spec.containers[0].args).toContain('--authz-trust-port-forward=true');
  expect(byKind(buildRouter({ trustPortForward: false }), 'Deployment').spec.template.spec.containers[0].args).not.toContain('--authz-trust-port-forward=true');
  expect(deployment.spec.template.spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true });
  expect(byKind(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  expect(byKind(objects, 'ClusterRole').rules).toEqual([
    { apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  ]);
  expect(byKind(objects, 'Service').metadata.name).toBe('sandbox-router-svc');
  const egress = byKind(objects, 'NetworkPolicy').spec.egress;
  expect(egress[0]).toEqual({
    to: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'agents.x-k8s.io/sandbox-name-hash', operator: 'Exists' }] } }],
    ports: [{ port: 8888, protocol: 'TCP' }],
  });
});

test('scoped-token mounts the secret read-only and drops TokenReview and SubjectAccessReview RBAC', () => {
  const objects = buildRouter({ authzMode: 'scoped-token', scopedTokenSecretName: 'router-hmac' });
  const pod = byKind(objects, 'Deployment').spec.template.spec;
  expect(pod.containers[0].args).toContain('--authz-scoped-token-secret-file=/etc/sandbox-router/scoped-token/secret');
  expect(pod.volumes).toEqual([{ name: 'scoped-token', secret: { secretName: 'router-hmac', defaultMode: 0o400 } }]);
  expect(byKind(objects, 'ClusterRole').rules.map((r: { resources: string[] }) => r.resources[0])).toEqual(['sandboxes', 'nodes']);
});

test('router limits and allowed ports become flags', () => {
  const args: string[] = byKind(buildRouter({ allowedSandboxPorts: [8888, 3000], maxQueuedRequestsPerSandbox: 64, authzApiCallsPerSecond: 20 }), 'Deployment').spec.template.spec.containers[0].args;
  expect(args).toEqual(expect.arrayContaining(['--allowed-sandbox-ports=8888,3000', '--max-queued-requests-per-sandbox=64', '--authz-api-calls-per-second=20']));
  expect(routerProblems({ allowedSandboxPorts: [0] })).toEqual(['allowedSandboxPorts must hold ports 1-65535 (got 0)']);
  expect(routerProblems({ allowedSandboxPorts: [] })).toEqual(['allowedSandboxPorts is empty: leave it out to allow any port of the sandbox']);
});

test('bad props are rejected with every problem named', () => {
  expect(routerProblems({ replicas: 0, authzMode: 'scoped-token', sandboxPort: 70000 })).toEqual([
    'replicas must be a positive integer (got 0)',
    'sandboxPort must be at most 65535 (got 70000)',
    'scopedTokenSecretName is required when authzMode is "scoped-token"',
  ]);
  expect(() => buildRouter({ namespace: 'Bad_NS' })).toThrow('SandboxRouter: namespace "Bad_NS" must be a DNS-1123 label');
  expect(() => buildRouter({ tunnelAccess: {} })).toThrow('SandboxRouter: tunnelAccess must name at least one group, service account or user (or be left out)');
});

test('tunnelAccess: a Role in the router namespace for kubectl port-forward to the router Service, bound to exactly those named', () => {
  const objects = buildRouter({ namespace: 'routing', tunnelAccess: { serviceAccounts: ['team-a/agent'], groups: ['sdk-users'] } });
  const role = byKind(objects, 'Role');
  expect(role.metadata).toMatchObject({ name: 'sandbox-router-tunnel', namespace: 'routing' });
  expect(role.rules).toEqual([
    { apiGroups: [''], resources: ['services'], resourceNames: ['sandbox-router-svc'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] },
  ]);
  const binding = byKind(objects, 'RoleBinding');
  expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'sandbox-router-tunnel' });
  expect(binding.subjects).toEqual([
    { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'sdk-users' },
    { kind: 'ServiceAccount', name: 'agent', namespace: 'team-a' },
  ]);
  expect(buildRouter().some((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toBe(false);
});

test('the cdk8s construct synthesizes the builder output', () => {
  const chart = new Chart(Testing.app(), 'test');
  const router = new SandboxRouter(chart, 'router', { replicas: 3 });
  const synthesized = Testing.synth(chart);
  expect(synthesized).toHaveLength(7);
  expect(byKind(synthesized, 'Deployment').spec.replicas).toBe(3);
  expect(router.url).toBe('http://sandbox-router-svc.agent-sandbox-system.svc:8080');
});
