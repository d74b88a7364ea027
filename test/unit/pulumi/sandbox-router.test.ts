// The SandboxRouter Pulumi component: token, one child per router object, outputs, guardrails pass.
import { find, installMocks, registrations, settle, urnOf, valueOf } from './mocks';
import { SandboxRouter } from '../../../lib/pulumi';

jest.setTimeout(60_000);
beforeAll(installMocks);

test('registers every router object under the component and outputs its URL', async () => {
  const router = new SandboxRouter('router', { namespace: 'routing', replicas: 2 });
  await settle();
  const parent = urnOf('agent-sandbox-kit:index:SandboxRouter', 'router');
  expect(find('kubernetes:apps/v1:Deployment', 'routing/sandbox-router').parent).toBe(parent);
  expect(find('kubernetes:networking.k8s.io/v1:NetworkPolicy', 'routing/sandbox-router').parent).toBe(parent);
  expect(registrations.filter((r) => r.parent === parent)).toHaveLength(7);
  expect(await valueOf(router.url)).toBe('http://sandbox-router-svc.routing.svc:8080');
  expect(() => new SandboxRouter('bad', { authzMode: 'scoped-token' })).toThrow('scopedTokenSecretName is required');
});
