// ValidatingAdmissionPolicy synthesis: one validation per active rule, exemptions baked in per object,
// the controller's own writes skipped, binding scoped to the team namespace.

import { buildAdmissionPolicy, exemptionAnnotations, RULE } from '../../../lib/policy';
import { compliantPodSpec } from '../../support/objects';
import { poolWith, templateWith } from './fixtures';

const controllerUsername = 'system:serviceaccount:agent-sandbox-system:agent-sandbox-controller';

describe('buildAdmissionPolicy', () => {
  test('restricted profile: stable policy and binding', () => {
    expect(buildAdmissionPolicy({ namespace: 'analytics', controllerUsername, policy: { allowedRegistries: ['ghcr.io/acme'], maxWarmPoolReplicas: 10 } })).toMatchSnapshot();
  });

  test('rules switched off by their settings emit no validation', () => {
    const [vap] = buildAdmissionPolicy({ namespace: 'a', controllerUsername });
    const rules = vap.spec!.validations!.map((v) => /^\[rule ([a-z-]+)\]/.exec(v.message!)![1]);
    expect(rules).not.toContain(RULE.allowedRegistries);
    expect(rules).not.toContain(RULE.warmPoolMaxReplicas);
    expect(rules).toContain(RULE.runtimeClass);
  });

  test('every denial keeps the rule id and summary, then words the findings as the engine does', () => {
    const [vap] = buildAdmissionPolicy({ namespace: 'a', controllerUsername, policy: { allowedRegistries: ['ghcr.io/acme'], maxWarmPoolReplicas: 10 } });
    for (const v of vap.spec!.validations!) expect(v.messageExpression!.startsWith(`'${v.message}: ' + (`)).toBe(true);
    const byRule = Object.fromEntries(vap.spec!.validations!.map((v) => [/^\[rule ([a-z-]+)\]/.exec(v.message!)![1], v.messageExpression]));
    expect(byRule[RULE.warmPoolMaxReplicas]).toBe("'[rule warm-pool-max-replicas] warm pools must not exceed the team maximum (spec.replicas): ' + (['spec.replicas: ' + string((has(object.spec.replicas) ? object.spec.replicas : 0)) + ' exceeds the maximum warm pool size 10']).join('; ')");
    expect(byRule[RULE.noPrivileged]).toBe("'[rule no-privileged] containers must not be privileged (securityContext.privileged): ' + (variables.containers.filter(c, !(!has(c.securityContext) || !has(c.securityContext.privileged) || !c.securityContext.privileged)).map(c, 'container \"' + c.name + '\" must not be privileged')).join('; ')");
    expect(byRule[RULE.noHostPath]).toContain(`variables.podSpec.volumes.filter(v, has(v.hostPath)).map(v, 'volume "' + v.name + '" must not use hostPath')`);
    expect(byRule[RULE.allowedRegistries]).toContain(`'" is not from an allowed registry (ghcr.io/acme)'`);
  });

  test('exemptions apply to the named object and rule only; quotes are escaped', () => {
    const exempt = templateWith(compliantPodSpec(), exemptionAnnotations({ [RULE.noHostPath]: 'needs the GPU driver socket' }));
    exempt.metadata.name = "it's";
    const [vap, binding] = buildAdmissionPolicy({ namespace: 'a', controllerUsername, exemptObjects: [exempt, templateWith(compliantPodSpec())] });
    const byRule = Object.fromEntries(vap.spec!.validations!.map((v) => [/^\[rule ([a-z-]+)\]/.exec(v.message!)![1], v.expression]));
    expect(byRule[RULE.noHostPath]).toBe("!(object.kind in ['Sandbox', 'SandboxTemplate']) || (object.kind == 'SandboxTemplate' && object.metadata.name == 'it\\'s') || (!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath)))");
    expect(byRule[RULE.noHostNamespaces]).not.toContain('object.metadata.name');
    // A pool's exemption also covers requests to its scale subresource, which carry a Scale named after the pool.
    const bigPool = { ...poolWith(50), metadata: { name: 'big', namespace: 'a', annotations: exemptionAnnotations({ [RULE.warmPoolMaxReplicas]: 'load test' }) } };
    const [poolVap] = buildAdmissionPolicy({ namespace: 'a', controllerUsername, policy: { maxWarmPoolReplicas: 10 }, exemptObjects: [bigPool] });
    const poolCheck = poolVap.spec!.validations!.find((v) => v.message!.startsWith(`[rule ${RULE.warmPoolMaxReplicas}]`))!.expression;
    expect(poolCheck).toBe("!(object.kind in ['SandboxWarmPool', 'Scale']) || (object.kind in ['SandboxWarmPool', 'Scale'] && object.metadata.name == 'big') || ((has(object.spec.replicas) ? object.spec.replicas : 0) <= 10)");
    expect(vap.spec!.matchConditions).toEqual([{ name: 'not-the-controller', expression: `request.userInfo.username != '${controllerUsername}'` }]);
    expect(binding.spec).toEqual({ policyName: 'agent-sandbox-guardrails-a', validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } } });
  });
});
