// Secure defaults, blueprint hashes and the staleness rules shared by the warm pool and the claim controller.
import { LABEL, nameHash, type Sandbox, type SandboxTemplateSpec } from '../../../../lib/api';
import { blueprintHash, blueprintMatches, canonicalJson, isStale, podTemplateHash, semanticEqual } from '../../../../lib/controller/shared/blueprint';
import { applySecureDefaults, PUBLIC_NAMESERVERS } from '../../../../lib/controller/shared/template-pod-defaults';

const template = (extra: Partial<SandboxTemplateSpec> = {}): SandboxTemplateSpec => ({
  podTemplate: { metadata: { labels: { team: 'a' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } },
  ...extra,
});

function memberOf(name: string, spec: SandboxTemplateSpec, labels: Record<string, string> = {}): Sandbox {
  return {
    apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox',
    metadata: { name: 'm', labels: { [LABEL.templateRefHash]: nameHash(name), ...labels } },
    spec: {
      podTemplate: { metadata: spec.podTemplate.metadata, spec: applySecureDefaults(spec, spec.podTemplate.spec) },
      volumeClaimTemplates: spec.volumeClaimTemplates, service: spec.service,
    },
  };
}

describe('applySecureDefaults', () => {
  it('disables token automount and switches to public DNS under the default NetworkPolicy', () => {
    const input = template().podTemplate.spec;
    const out = applySecureDefaults(template(), input);
    expect(out.automountServiceAccountToken).toBe(false);
    expect(out.dnsPolicy).toBe('None');
    expect(out.dnsConfig?.nameservers).toEqual(PUBLIC_NAMESERVERS);
    expect(input.automountServiceAccountToken).toBeUndefined(); // pure
  });

  it('keeps explicit choices and cluster DNS when the template brings its own NetworkPolicy or none', () => {
    const spec = { containers: [], automountServiceAccountToken: true, dnsPolicy: 'ClusterFirst' };
    expect(applySecureDefaults(template(), spec)).toMatchObject({ automountServiceAccountToken: true, dnsPolicy: 'ClusterFirst' });
    expect(applySecureDefaults(template({ networkPolicy: { egress: [] } }), { containers: [] }).dnsPolicy).toBeUndefined();
    expect(applySecureDefaults(template({ networkPolicyManagement: 'Unmanaged' }), { containers: [] }).dnsPolicy).toBeUndefined();
  });
});

describe('blueprint hashes', () => {
  it('ignore key order and empty values but change with the blueprint', () => {
    expect(canonicalJson({ b: 1, a: [], c: { d: null } })).toBe('{"b":1}');
    const t = template();
    expect(blueprintHash(t)).toBe(blueprintHash({ ...t, volumeClaimTemplates: [] }));
    expect(blueprintHash(t)).not.toBe(blueprintHash({ ...t, service: true }));
    const policyOnly: SandboxTemplateSpec = { ...t, envVarsInjectionPolicy: 'Allowed' };
    expect(blueprintHash(t)).toBe(blueprintHash(policyOnly));
    expect(podTemplateHash(t)).toMatch(/^[0-9a-f]{8}$/);
    expect(semanticEqual({ a: [] }, {})).toBe(true);
  });
});

describe('isStale', () => {
  it('trusts a matching hash label and falls back to the semantic compare otherwise', () => {
    const t = template();
    expect(isStale('t', t, memberOf('t', t, { [LABEL.templateHash]: blueprintHash(t) }))).toBe(false);
    expect(isStale('t', t, memberOf('t', t, { [LABEL.templateHash]: 'deadbeef' }))).toBe(false);
    expect(isStale('other', t, memberOf('t', t))).toBe(true);
    const changed = template({ podTemplate: { spec: { containers: [{ name: 'c', image: 'img:2' }] } } });
    expect(isStale('t', changed, memberOf('t', t, { [LABEL.templateHash]: blueprintHash(t) }))).toBe(true);
  });

  it('ignores pod template metadata edits and detects VCT and service changes', () => {
    const t = template();
    const member = memberOf('t', t);
    expect(blueprintMatches(template({ podTemplate: { metadata: { labels: { x: 'y' } }, spec: t.podTemplate.spec } }), member)).toBe(true);
    expect(blueprintMatches(template({ service: true }), member)).toBe(false);
    expect(blueprintMatches(template({ volumeClaimTemplates: [{ metadata: { name: 'w' }, spec: { accessModes: ['ReadWriteOnce'] } }] }), member)).toBe(false);
    expect(blueprintMatches(template({ networkPolicy: { egress: [] } }), member)).toBe(false); // DNS defaults differ
  });
});
