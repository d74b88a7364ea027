// Every guardrail rule's CEL in a real API server: with the synthesized ValidatingAdmissionPolicy bound to one
// namespace, each way of breaking each rule (./rule-violations.ts) is rejected for every kind the rule applies to,
// with a denial naming the rule and the field and, worded as the engine words its findings, the offending container,
// volume, image or requested size; compliant objects are admitted; exemptions hold only for the
// object they were synthesized for; `kubectl scale` on a warm pool is held to the maximum too. The rules, the
// kinds they apply to and the expected outcome come from lib/policy (RULES, rulesFor, checkObject), so a rule
// without a fixture fails here.
import type { PodSpec } from 'kubernetes-types/core/v1';
import { ALL_KINDS, SANDBOX, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL } from '../../../lib/api';
import { ApiError, KubeClient, Resources, type KubeObject, type ResourceType } from '../../../lib/kube';
import { buildAdmissionPolicy, checkObject, exemptionAnnotations, resolvePolicy, RULE, RULES, rulesFor, type Rule } from '../../../lib/policy';
import { adminKubeconfig, applyServerSide, installCrds, kubectl, useTestNamespace, waitFor } from '../harness';
import { COMPLIANT_POD_SPECS, POLICY, VIOLATIONS, type RuleViolation } from './rule-violations';

const ns = useTestNamespace('guardrail-rules');
const resolved = resolvePolicy(POLICY);
// The policy skips the controller's own writes; these tests write as admin, so every rule applies.
const controllerUsername = 'system:serviceaccount:agent-sandbox-system:agent-sandbox-controller';
let client: KubeClient;
let policyName: string;

const RESOURCES: Record<string, ResourceType> = {
  [SANDBOX.kind]: Resources.sandboxes, [SANDBOX_TEMPLATE.kind]: Resources.sandboxTemplates, [SANDBOX_WARM_POOL.kind]: Resources.sandboxWarmPools,
};

function podObject(kind: string, name: string, spec: PodSpec, annotations?: Record<string, string>): KubeObject {
  const info = ALL_KINDS.find((k) => k.kind === kind)!;
  return { apiVersion: info.apiVersion, kind, metadata: { name, namespace: ns.name, annotations }, spec: { podTemplate: { spec } } } as KubeObject;
}

// One template exempt from no-host-path, baked into the policy by (kind, name) as the team builder does.
const hostPathExemption = exemptionAnnotations({ [RULE.noHostPath]: 'mounts the GPU driver socket' });
const withHostPath = (spec: PodSpec) => ({ ...spec, volumes: [{ name: 'driver', hostPath: { path: '/run/driver' } }] });
const exemptTemplate = () => podObject(SANDBOX_TEMPLATE.kind, 'exempt', withHostPath(COMPLIANT_POD_SPECS['restricted defaults']()), hostPathExemption);

function warmPool(name: string, replicas?: number): KubeObject {
  const spec = { sandboxTemplateRef: { name: 'python' }, ...(replicas === undefined ? {} : { replicas }) };
  return { apiVersion: SANDBOX_WARM_POOL.apiVersion, kind: SANDBOX_WARM_POOL.kind, metadata: { name, namespace: ns.name }, spec } as KubeObject;
}

/** The object of `kind` that breaks `rule` the way `violation` says; throws for a kind this test cannot build. */
function violatingObject(kind: string, rule: Rule, violation: RuleViolation, name: string): KubeObject {
  if (rule.target === 'pod' && 'podSpec' in violation && (kind === SANDBOX.kind || kind === SANDBOX_TEMPLATE.kind)) {
    const spec = COMPLIANT_POD_SPECS['restricted defaults']();
    violation.podSpec(spec);
    return podObject(kind, name, spec);
  }
  if (rule.target === 'warmPool' && 'warmPoolReplicas' in violation && kind === SANDBOX_WARM_POOL.kind) return warmPool(name, violation.warmPoolReplicas);
  throw new Error(`no way to build a ${kind} breaking rule ${rule.id} with fixture "${violation.what}" (target ${rule.target}): extend ${__filename}`);
}

/** Every (kind, rule, violation) the policy must reject: the kinds each rule applies to come from lib/policy. */
const cases = ALL_KINDS.flatMap(({ kind }) => rulesFor(kind, resolved).flatMap((id) => {
  const rule = RULES.find((r) => r.id === id)!;
  return (VIOLATIONS[id] ?? []).map((violation, i) => ({ kind, rule, violation, name: `${id}-${i}` }));
}));

/** The fields the engine names in its findings, relative to the container, volume or pod spec they are in. */
function fieldsNamed(obj: KubeObject): string[] {
  return checkObject(obj, resolved).map((v) => v.path.replace(/^spec\.podTemplate\.spec\./, '').replace(/^(initContainers|containers|volumes)\[\d+\]\./, ''));
}

/** What the engine reports for `obj`: a denial must say the same (which container, volume, image, value and limit). */
const findingsOf = (obj: KubeObject) => checkObject(obj, resolved).map((v) => v.message);

async function createError(kind: string, obj: KubeObject, dryRun = false): Promise<ApiError | undefined> {
  try {
    await client.create(RESOURCES[kind], obj, { dryRun });
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

beforeAll(async () => {
  await installCrds();
  client = await KubeClient.create({ kubeconfig: adminKubeconfig() });
  const [vap, binding] = buildAdmissionPolicy({ namespace: ns.name, policy: POLICY, controllerUsername, exemptObjects: [exemptTemplate()] });
  policyName = vap.metadata.name;
  await applyServerSide([vap, binding]);
  // The API server compiles a new policy asynchronously: wait until it denies (a dry run leaves nothing behind).
  const probe = violatingObject(SANDBOX_TEMPLATE.kind, RULES[0], VIOLATIONS[RULES[0].id][0], 'probe');
  await waitFor('the guardrail policy to take effect', async () => (await createError(SANDBOX_TEMPLATE.kind, probe, true))?.code === 403);
});

afterAll(async () => {
  client?.close();
  if (policyName) await kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policyName, '--ignore-not-found']);
});

test('every rule is enforced by the policy, applies to one of our kinds and has fixtures of its target', () => {
  const [vap] = buildAdmissionPolicy({ namespace: 'any', policy: POLICY, controllerUsername });
  expect(vap.spec!.validations!.map((v) => /^\[rule ([a-z-]+)\]/.exec(v.message!)?.[1])).toEqual(RULES.map((r) => r.id));
  expect(RULES.filter((rule) => !cases.some((c) => c.rule.id === rule.id)).map((r) => r.id)).toEqual([]);
  const wrongTarget = RULES.flatMap((rule) => VIOLATIONS[rule.id].filter((v) => ('podSpec' in v ? 'pod' : 'warmPool') !== rule.target).map((v) => `${rule.id}: ${v.what}`));
  expect(wrongTarget).toEqual([]);
});

test.each(cases)('$kind breaking $rule.id ($violation.what) is rejected, naming the rule and field', async ({ kind, rule, violation, name }) => {
  const obj = violatingObject(kind, rule, violation, name);
  // The fixture breaks exactly this rule as far as the synth-time engine is concerned...
  expect(new Set(checkObject(obj, resolved).map((v) => v.rule))).toEqual(new Set([rule.id]));
  // ...and the API server's CEL agrees.
  const error = await createError(kind, obj);
  expect(error?.code).toBe(403);
  expect(error?.message).toContain(`ValidatingAdmissionPolicy '${policyName}'`);
  expect(error?.message).toContain(`[rule ${rule.id}] ${rule.summary}: `);
  for (const field of fieldsNamed(obj)) expect(error?.message).toContain(field);
  for (const finding of findingsOf(obj)) expect(error?.message).toContain(finding);
  expect(await client.getOrUndefined(RESOURCES[kind], ns.name, name)).toBeUndefined();
});

const compliantCases = Object.entries(COMPLIANT_POD_SPECS).flatMap(([what, spec], i) => [SANDBOX.kind, SANDBOX_TEMPLATE.kind].map((kind) => ({ kind, what, spec, name: `ok-${i}` })));

test.each(compliantCases)('a compliant $kind ($what) is admitted', async ({ kind, spec, name }) => {
  const obj = podObject(kind, name, spec());
  expect(checkObject(obj, resolved)).toEqual([]);
  expect(await createError(kind, obj)).toBeUndefined();
});

test.each([
  { what: 'at the maximum', replicas: POLICY.maxWarmPoolReplicas, name: 'ok-max' },
  { what: 'with replicas unset (1)', replicas: undefined, name: 'ok-default' },
])('a SandboxWarmPool $what is admitted', async ({ replicas, name }) => {
  const obj = warmPool(name, replicas);
  expect(checkObject(obj, resolved)).toEqual([]);
  expect(await createError(SANDBOX_WARM_POOL.kind, obj)).toBeUndefined();
});

describe('exemptions', () => {
  const denial = async (kind: string, obj: KubeObject, update = false) => {
    try {
      await (update ? client.update(RESOURCES[kind], obj) : client.create(RESOURCES[kind], obj));
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };

  test('the template the exemption was synthesized for is admitted with a hostPath volume', async () => {
    expect(checkObject(exemptTemplate(), resolved)).toEqual([]);
    expect(await denial(SANDBOX_TEMPLATE.kind, exemptTemplate())).toBeUndefined();
  });

  test('an update breaking another rule on the exempt template is still rejected', async () => {
    const current = await client.get<KubeObject & { spec: { podTemplate: { spec: PodSpec } } }>(RESOURCES[SANDBOX_TEMPLATE.kind], ns.name, 'exempt');
    current.spec.podTemplate.spec.containers[0].securityContext!.privileged = true;
    expect(await denial(SANDBOX_TEMPLATE.kind, current, true)).toContain(`[rule ${RULE.noPrivileged}]`);
  });

  test('the same annotation written on any other object grants nothing', async () => {
    const spec = withHostPath(COMPLIANT_POD_SPECS['restricted defaults']());
    expect(await denial(SANDBOX.kind, podObject(SANDBOX.kind, 'exempt', spec, hostPathExemption))).toContain(`[rule ${RULE.noHostPath}]`);
    expect(await denial(SANDBOX_TEMPLATE.kind, podObject(SANDBOX_TEMPLATE.kind, 'self-exempt', spec, hostPathExemption))).toContain(`[rule ${RULE.noHostPath}]`);
  });
});

describe('the scale subresource (kubectl scale, autoscalers)', () => {
  const scale = (replicas: number) => kubectl(['scale', `${SANDBOX_WARM_POOL.plural}.${SANDBOX_WARM_POOL.group}/scaled`, '-n', ns.name, `--replicas=${replicas}`]);

  beforeAll(() => client.create(RESOURCES[SANDBOX_WARM_POOL.kind], warmPool('scaled', 1)));

  test('cannot take a warm pool above the maximum', async () => {
    await expect(scale(POLICY.maxWarmPoolReplicas + 1))
      .rejects.toThrow(`[rule ${RULE.warmPoolMaxReplicas}] ${RULES.find((r) => r.id === RULE.warmPoolMaxReplicas)!.summary}: spec.replicas: ${POLICY.maxWarmPoolReplicas + 1} exceeds the maximum warm pool size ${POLICY.maxWarmPoolReplicas}`);
    expect((await client.get<KubeObject & { spec: { replicas: number } }>(RESOURCES[SANDBOX_WARM_POOL.kind], ns.name, 'scaled')).spec.replicas).toBe(1);
  });

  test('scales a warm pool up to the maximum and down to zero', async () => {
    await scale(POLICY.maxWarmPoolReplicas);
    await scale(0);
    expect((await client.get<KubeObject & { spec: { replicas: number } }>(RESOURCES[SANDBOX_WARM_POOL.kind], ns.name, 'scaled')).spec.replicas).toBe(0);
  });
});
