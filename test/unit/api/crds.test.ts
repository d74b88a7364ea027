import { allCrds, sandboxClaimCrd, sandboxCrd, sandboxTemplateCrd, sandboxWarmPoolCrd } from '../../../lib/api/crds';

const schemaOf = (crd: ReturnType<typeof sandboxCrd>) => crd.spec.versions[0].schema!.openAPIV3Schema as any;

describe('CRDs', () => {
  test('four CRDs with upstream names: v1beta1 stored, v1alpha1 served', () => {
    expect(allCrds().map((c) => c.metadata!.name)).toEqual([
      'sandboxes.agents.x-k8s.io', 'sandboxtemplates.extensions.agents.x-k8s.io',
      'sandboxwarmpools.extensions.agents.x-k8s.io', 'sandboxclaims.extensions.agents.x-k8s.io',
    ]);
    for (const crd of allCrds()) {
      // v1beta1 stored; v1alpha1 served for upstream users, converted by the controller's webhook.
      expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1beta1', true, true], ['v1alpha1', true, false]]);
      expect(crd.spec.conversion?.strategy).toBe('Webhook');
      expect(crd.spec.scope).toBe('Namespaced');
    }
    expect(allCrds().map((c) => c.spec.names.shortNames)).toEqual([['sandbox', 'sbx'], ['sandboxtemplate', 'sbxt'], ['swp'], ['sandboxclaim', 'sbxc']]);
    for (const crd of allCrds()) expect(crd.spec.names.categories).toEqual(['agent-sandbox']);
  });

  test('Sandbox spec: defaults, enums, immutable volumeClaimTemplates, full pod schema', () => {
    const spec = schemaOf(sandboxCrd()).properties.spec;
    expect(spec.required).toEqual(['podTemplate']);
    expect(spec.properties.shutdownPolicy).toMatchObject({ enum: ['Delete', 'Retain'], default: 'Retain' });
    expect(spec.properties.operatingMode).toMatchObject({ enum: ['Running', 'Suspended'], default: 'Running' });
    expect(spec.properties.volumeClaimTemplates['x-kubernetes-list-type']).toBe('atomic');
    expect(spec['x-kubernetes-validations']).toEqual([expect.objectContaining({ message: 'volumeClaimTemplates is immutable' })]);
    const podSpec = spec.properties.podTemplate.properties.spec;
    expect(podSpec.required).toEqual(['containers']);
    expect(podSpec.properties.runtimeClassName.type).toBe('string');
    // dnsPolicy and automountServiceAccountToken must have no schema default (secure defaults rely on it).
    expect(podSpec.properties.dnsPolicy.default).toBeUndefined();
    expect(podSpec.properties.automountServiceAccountToken.default).toBeUndefined();
  });

  test('status subresources, scale and printer columns', () => {
    const sandbox = sandboxCrd().spec.versions[0];
    expect(sandbox.subresources).toEqual({ status: {} });
    expect(sandbox.additionalPrinterColumns!.map((c) => c.name)).toEqual(['Ready', 'Reason', 'Age']);
    const pool = sandboxWarmPoolCrd().spec.versions[0];
    expect(pool.subresources!.scale).toEqual({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' });
    expect(pool.additionalPrinterColumns!.map((c) => [c.name, c.type])).toEqual([['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], ['Template', 'string'], ['Age', 'date']]);
    expect(sandboxTemplateCrd().spec.versions[0].additionalPrinterColumns!.map((c) => c.name)).toEqual(['Ready', 'Network-Policy', 'Env-Injection', 'Volume-Claims', 'Age']);
    expect(sandboxClaimCrd().spec.versions[0].additionalPrinterColumns!.map((c) => c.name)).toEqual(['Ready', 'Sandbox', 'Reason', 'Age']);
    // Our addition: the template's Ready condition says whether its NetworkPolicy is in place.
    expect(sandboxTemplateCrd().spec.versions[0].subresources).toEqual({ status: {} });
  });

  test('template and claim policies default to the safe choice', () => {
    const template = schemaOf(sandboxTemplateCrd()).properties.spec.properties;
    expect(template.networkPolicyManagement.default).toBe('Managed');
    expect(template.envVarsInjectionPolicy.default).toBe('Disallowed');
    expect(template.volumeClaimTemplatesPolicy.default).toBe('Disallowed');
    expect(template.networkPolicy.properties.egress.items.properties.to).toBeDefined();
    const claim = schemaOf(sandboxClaimCrd()).properties.spec.properties;
    expect(claim.lifecycle.properties.shutdownPolicy.enum).toEqual(['Delete', 'DeleteForeground', 'Retain']);
    expect(claim.env.items.required).toEqual(['name', 'value']);
    const pool = schemaOf(sandboxWarmPoolCrd()).properties.spec.properties;
    expect(pool.replicas).toMatchObject({ default: 1, minimum: 0 });
    expect(pool.updateStrategy.properties.type.default).toBe('OnReplenish');
  });

  test('warm pool CRD is stable', () => {
    expect(sandboxWarmPoolCrd()).toMatchSnapshot();
  });
});
