// The example platform synthesizes, every object is valid against the Kubernetes OpenAPI schema or our
// CRD schemas, apply order puts CRDs first, and the acceptance contents are all there.

import { Testing } from 'cdk8s';
import { buildPlatform } from '../../../examples/platform/platform';
import { allCrds } from '../../../lib/api';
import { builtInValidators, crdValidators, schemaErrors } from '../support/kube-schemas';

function synthesizedObjects(): any[] {
  const app = Testing.app();
  buildPlatform(app);
  return app.charts.flatMap((chart) => chart.toJson());
}

describe('example platform', () => {
  const objects = synthesizedObjects();
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);

  test('every object validates against the Kubernetes OpenAPI or our CRD schemas', () => {
    // GIVEN the Kubernetes v1.36 OpenAPI and our CRDs
    const builtIn = builtInValidators();
    const custom = crdValidators(allCrds());
    // WHEN each synthesized object is validated
    const failures = objects.map((o) => ({ object: `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, errors: schemaErrors(o, builtIn, custom) }))
      .filter((f) => f.errors.length > 0);
    // THEN none fails
    expect(failures).toEqual([]);
    expect(objects.length).toBeGreaterThan(30);
    // AND the validators do reject a misspelt field and a wrong type
    const [deployment] = ofKind('Deployment');
    const typo = structuredClone(deployment);
    typo.spec.template.spec.containers[0].imagePulPolicy = 'Always';
    expect(schemaErrors(typo, builtIn, custom)).toEqual([expect.stringContaining('imagePulPolicy')]);
    const [template] = ofKind('SandboxTemplate');
    const wrongType = structuredClone(template);
    wrongType.spec.podTemplate.spec.containers[0].ports[0].containerPort = 'http';
    expect(schemaErrors(wrongType, builtIn, custom).join()).toContain('containerPort');
  });

  test('CRDs come first, then the namespaces, in apply order', () => {
    const kinds = objects.map((o) => o.kind);
    expect(kinds.slice(0, 4)).toEqual(Array(4).fill('CustomResourceDefinition'));
    expect(kinds[4]).toBe('Namespace');
  });

  test('contains the system, runtime classes, both teams and their admission policies', () => {
    const deployment = ofKind('Deployment')[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining([
      '--leader-elect=true', '--extensions=true', '--sandbox-concurrent-workers=200', '--kube-api-burst=200',
    ]));
    expect(ofKind('Deployment').map((d) => `${d.metadata.namespace}/${d.metadata.name}`)).toEqual(['agent-sandbox-system/agent-sandbox-controller', 'agent-sandbox-system/sandbox-router']);
    expect(ofKind('RuntimeClass').map((r) => [r.metadata.name, r.handler])).toEqual([['gvisor', 'runsc'], ['kata-qemu', 'kata-qemu']]);
    expect(ofKind('Namespace').map((n) => n.metadata.name)).toEqual(['agent-sandbox-system', 'analytics', 'browser']);
    // Per team: the agents' Role and the router's lifecycle Role (with bindings), and two admission policies (the
    // guardrails, and what agents may change on their Sandboxes).
    const perTeam = { ResourceQuota: 1, LimitRange: 1, NetworkPolicy: 1, Role: 2, RoleBinding: 2, ValidatingAdmissionPolicy: 2, ValidatingAdmissionPolicyBinding: 2 };
    for (const [kind, count] of Object.entries(perTeam)) {
      expect([kind, ofKind(kind).filter((o) => ['analytics', 'browser'].some((t) => (o.metadata.namespace ?? o.metadata.name).endsWith(t))).length]).toEqual([kind, 2 * count]);
    }
    expect(ofKind('SandboxTemplate').map((t) => [t.metadata.namespace, t.metadata.name, t.spec.podTemplate.spec.runtimeClassName])).toEqual([
      ['analytics', 'python-code-interpreter', 'gvisor'], ['browser', 'headless-chromium', 'kata-qemu'],
    ]);
    expect(ofKind('SandboxWarmPool').map((p) => [p.metadata.namespace, p.spec.replicas])).toEqual([['analytics', 5], ['browser', 2]]);
  });
});
