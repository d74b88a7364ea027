// A team's synthesized objects in a real API server: all accepted, the guardrail
// ValidatingAdmissionPolicy rejects a privileged Sandbox in the team namespace and admits a compliant
// one, and deleting the team namespace removes the team's objects.
import { SANDBOX, SANDBOX_TEMPLATE } from '../../lib/api';
import { buildSandbox, SandboxProps } from '../../lib/builders/sandbox-resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../lib/builders/secure-defaults';
import { buildTeam } from '../../lib/builders/team';
import { admissionPolicyName } from '../../lib/policy/admission-policy';
import { applyServerSide, getObject, installCrds, kubectl, uniqueName, waitFor, waitForDeletion, waitForQuotaSynced } from './harness';

const team = uniqueName('team');

const podTemplate = (securityContext = restrictedContainerSecurityContext()): SandboxProps['podTemplate'] => ({
  spec: {
    runtimeClassName: 'gvisor',
    securityContext: restrictedPodSecurityContext(),
    containers: [{
      name: 'agent',
      image: 'example.invalid/agent:1',
      securityContext,
      resources: { limits: { cpu: '1', memory: '1Gi' } },
    }],
  },
});

const compliantSandbox = (name: string) => buildSandbox({ name, namespace: team, podTemplate: podTemplate() });
const privilegedSandbox = (name: string) => buildSandbox({
  name, namespace: team, podTemplate: podTemplate({ ...restrictedContainerSecurityContext(), privileged: true }),
});

beforeAll(async () => {
  await installCrds();
  const manifests = buildTeam({
    name: team,
    agents: { groups: ['team-agents'] },
    templates: [{ name: 'python', podTemplate: podTemplate() }],
  });
  await applyServerSide(manifests);
  await waitForQuotaSynced(team, 'sandboxes');
});

afterAll(async () => {
  await kubectl(['delete', 'namespace', team, '--ignore-not-found', '--wait=false']);
  await kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', admissionPolicyName(team), '--ignore-not-found']);
});

test('the team objects are all accepted', async () => {
  expect(await getObject(SANDBOX_TEMPLATE.plural, 'python', { namespace: team })).toBeDefined();
  expect(await getObject('validatingadmissionpolicy', admissionPolicyName(team))).toBeDefined();
  expect(await getObject('resourcequota', 'sandboxes', { namespace: team })).toBeDefined();
});

test('the guardrail policy rejects a privileged Sandbox in the team namespace, naming the rule', async () => {
  // The policy takes effect once the API server has compiled it; a dry run leaves nothing behind while we wait.
  const denial = await waitFor('the guardrail policy to deny a privileged Sandbox', async () => {
    try {
      await applyServerSide([privilegedSandbox('root')], { dryRun: true });
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  });
  expect(denial).toMatch(new RegExp(`ValidatingAdmissionPolicy '${admissionPolicyName(team)}'.*denied request: \\[rule [^\\]]+\\] containers must not be privileged`));
  expect(await getObject(SANDBOX.plural, 'root', { namespace: team })).toBeUndefined();
});

test('the guardrail policy admits a compliant Sandbox', async () => {
  await applyServerSide([compliantSandbox('compliant')]);
  expect(await getObject(SANDBOX.plural, 'compliant', { namespace: team })).toBeDefined();
});

test('deleting the team namespace removes its objects', async () => {
  await applyServerSide([compliantSandbox('doomed')]);
  await kubectl(['delete', 'namespace', team, '--wait=false']);
  await waitForDeletion('namespace', team, { timeoutMs: 90_000 });
  expect(await getObject(SANDBOX.plural, 'doomed', { namespace: team })).toBeUndefined();
  expect(await getObject(SANDBOX_TEMPLATE.plural, 'python', { namespace: team })).toBeUndefined();
});
