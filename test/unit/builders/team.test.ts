// Team builder: tenancy objects, agent RBAC, default-deny networking, guardrails and cross-references.

import { DEFAULT_SYSTEM_NAMESPACE, LABEL, ROUTER_APP_VALUE } from '../../../lib/api';
import { buildTeam, teamProblems } from '../../../lib/builders';
import { compliantPodSpec } from '../../support/objects';

const base = { name: 'analytics', agents: { groups: ['analysts'], serviceAccounts: ['agent', 'ci/runner'], users: ['ana'] } };

describe('buildTeam', () => {
  const objects: any[] = buildTeam({ ...base, templates: [{ name: 'py', podTemplate: { spec: compliantPodSpec() } }], warmPools: [{ name: 'py', templateName: 'py', replicas: 5 }] });
  const find = (kind: string) => objects.find((o) => o.kind === kind);

  test('objects in apply order, all in the team namespace', () => {
    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'Role', 'RoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
      'Role', 'RoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'SandboxTemplate', 'SandboxWarmPool',
    ]);
    expect(objects.filter((o) => o.metadata.namespace !== undefined).every((o) => o.metadata.namespace === 'analytics')).toBe(true);
    expect(find('ResourceQuota').spec.hard).toMatchObject({ 'count/sandboxes.agents.x-k8s.io': '200', pods: '200' });
  });

  test('default deny with DNS egress, router ingress, and the controller on the runtime port only', () => {
    const { spec } = find('NetworkPolicy');
    expect(spec.podSelector).toEqual({});
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const system = { matchLabels: { 'kubernetes.io/metadata.name': DEFAULT_SYSTEM_NAMESPACE } };
    expect(spec.ingress).toEqual([
      { from: [{ namespaceSelector: system, podSelector: { matchLabels: { [LABEL.routerApp]: ROUTER_APP_VALUE } } }] },
      { from: [{ namespaceSelector: system, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'agent-sandbox-controller' } } }], ports: [{ protocol: 'TCP', port: 8888 }] },
    ]);
    expect(spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }]);
  });

  test('the router may patch Sandboxes in the team namespace only (activity, resume on request)', () => {
    const [role, binding] = objects.filter((o) => o.metadata.name === 'sandbox-router-lifecycle');
    expect(role).toMatchObject({ kind: 'Role', metadata: { namespace: 'analytics' }, rules: [{ apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes'], verbs: ['patch'] }] });
    expect(binding).toMatchObject({ kind: 'RoleBinding', metadata: { namespace: 'analytics' }, subjects: [{ kind: 'ServiceAccount', name: 'sandbox-router', namespace: DEFAULT_SYSTEM_NAMESPACE }] });
  });

  test('agents may manage claims, read and suspend sandboxes and reach them through the router, nothing about templates or pools', () => {
    const { rules } = find('Role');
    expect(rules).toEqual([
      { apiGroups: ['extensions.agents.x-k8s.io'], resources: ['sandboxclaims'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
      { apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes/proxy'], verbs: ['create'] },
    ]);
    expect(find('RoleBinding').subjects).toEqual([
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'analysts' },
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'ana' },
      { kind: 'ServiceAccount', name: 'agent', namespace: 'analytics' },
      { kind: 'ServiceAccount', name: 'runner', namespace: 'ci' },
    ]);
  });

  test("the agents' Sandbox updates may change spec.operatingMode only (admission policy bound to the team namespace)", () => {
    const policy = objects.find((o) => o.metadata.name === 'agent-sandbox-agents-analytics');
    const binding = objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.spec.policyName === policy.metadata.name);
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: ['agents.x-k8s.io'], apiVersions: ['v1beta1'], operations: ['UPDATE'], resources: ['sandboxes'] }]);
    expect(policy.spec.matchConditions[0].expression).toBe(
      "request.userInfo.username in ['ana', 'system:serviceaccount:analytics:agent', 'system:serviceaccount:ci:runner']"
      + " || (has(request.userInfo.groups) && request.userInfo.groups.exists(g, g in ['analysts']))");
    const [validation] = policy.spec.validations;
    for (const path of ['spec.podTemplate', 'spec.volumeClaimTemplates', 'spec.service', 'spec.shutdownTime', 'spec.shutdownPolicy', 'metadata.labels', 'metadata.ownerReferences']) {
      expect(validation.expression).toContain(`object.${path} == oldObject.${path}`);
    }
    expect(validation.expression).not.toContain('operatingMode');
    expect(binding.spec.matchResources.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'analytics' } });
  });

  test('sandboxAccess grants router access to the team\'s sandboxes (or named ones) and nothing else', () => {
    const granted: any[] = buildTeam({ ...base, sandboxAccess: [{ name: 'reviewers', groups: ['reviewers'] }, { name: 'owner', serviceAccounts: ['other/bot'], sandboxes: ['sb-1'] }] });
    const named = (name: string) => granted.filter((o) => o.metadata.name === name);
    expect(named('sandbox-access-reviewers').map((o) => o.kind)).toEqual(['Role', 'RoleBinding']);
    expect(named('sandbox-access-reviewers')[0].rules).toEqual([{ apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes/proxy'], verbs: ['create'] }]);
    expect(named('sandbox-access-owner')[0].rules).toEqual([{ apiGroups: ['agents.x-k8s.io'], resources: ['sandboxes/proxy'], verbs: ['create'], resourceNames: ['sb-1'] }]);
    expect(named('sandbox-access-owner')[1].subjects).toEqual([{ kind: 'ServiceAccount', name: 'bot', namespace: 'other' }]);
    expect(named('sandbox-access-owner').every((o) => o.metadata.namespace === 'analytics')).toBe(true);
    expect(teamProblems({ ...base, sandboxAccess: [{ name: 'x' }, { name: 'x', users: ['u'], sandboxes: [] }] })).toEqual([
      'sandboxAccess[x]: must name at least one group, service account or user',
      'sandboxAccess[x]: sandboxes is empty: leave it out to grant every sandbox of the team',
      'sandboxAccess[x]: name is used twice',
    ]);
  });

  test('pool above the team maximum, unknown template and missing agents are errors', () => {
    expect(teamProblems({ name: 'Team', agents: {}, warmPools: [{ name: 'p', templateName: 'nope' }] })).toEqual([
      expect.stringContaining('name "Team" must be a DNS-1123 label'),
      'agents must name at least one group, service account or user',
      expect.stringContaining('warmPools[p]: namespace "Team" must be a DNS-1123 label'),
      'warmPools[p].templateName "nope" is not one of the team\'s templates (none)',
    ]);
    expect(() => buildTeam({ ...base, maxWarmPoolReplicas: 3, templates: [{ name: 'py', podTemplate: { spec: compliantPodSpec() } }], warmPools: [{ name: 'py', templateName: 'py', replicas: 4 }] }))
      .toThrow('TeamSandboxes analytics: SandboxWarmPool analytics/py: spec.replicas: 4 exceeds the maximum warm pool size 3 [rule warm-pool-max-replicas]');
    expect(teamProblems({ ...base, templates: [{ name: 'x', podTemplate: { spec: { containers: [] } } }], guardrails: { allowedRuntimeClasses: [] } })).toEqual([
      'guardrails: allowedRuntimeClasses must not be empty', 'templates[x]: podTemplate.spec.containers must list at least one container',
    ]);
  });
});
