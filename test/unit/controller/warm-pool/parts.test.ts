// Warm-pool building blocks: refill pacing, slow-start batching, member health classification and the member object
// itself (the expectations that guard against over-creation are tested with the runtime).
import { ANNOTATION, LABEL, nameHash, type Condition, type Sandbox, type SandboxTemplate, type SandboxWarmPool } from '../../../../lib/api';
import { blueprintHash } from '../../../../lib/controller/shared/blueprint';
import { slowStartBatch } from '../../../../lib/controller/warm-pool/slow-start';
import { classifyMember, GRACE_SLACK_MS } from '../../../../lib/controller/warm-pool/health';
import { buildMember, memberName, owningPoolKey, warmPoolIndexValue, warmPoolMemberIndex } from '../../../../lib/controller/warm-pool/member';
import { RefillBucket, ReplenishHold } from '../../../../lib/controller/warm-pool/pacing';

describe('pacing', () => {
  it('holds refills after a drop below desired, never on first sight nor after a scale-down', () => {
    const hold = new ReplenishHold(5000);
    hold.observe(2, 3, 0);
    expect(hold.remaining(0)).toBe(0);
    hold.observe(3, 3, 50);
    hold.observe(2, 3, 100);
    expect(hold.remaining(100)).toBe(5000);
    hold.observe(2, 3, 4100);
    expect(hold.remaining(4100)).toBe(1000);
    expect(hold.remaining(5200)).toBe(0);
    hold.observe(6, 6, 6000);
    hold.observe(2, 2, 6100);
    expect(hold.remaining(6100)).toBe(0);
    const off = new ReplenishHold(0);
    off.observe(3, 3, 0);
    off.observe(0, 3, 0);
    expect(off.remaining(0)).toBe(0);
  });

  it('grants creations at the refill rate', () => {
    const bucket = new RefillBucket(2, 0);
    expect(bucket.take(5, 0)).toBe(2);
    expect(bucket.take(5, 0)).toBe(0);
    expect(bucket.msUntilNextToken()).toBe(500);
    expect(bucket.take(5, 500)).toBe(1);
    bucket.refund(1);
    expect(bucket.take(5, 500)).toBe(1);
    expect(new RefillBucket(0, 0).take(300, 0)).toBe(300);
  });
});

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4 and stops after the first failing batch', async () => {
    const batches: number[] = [];
    let inFlight = 0;
    const ok = await slowStartBatch(7, async () => { inFlight++; batches.push(inFlight); await Promise.resolve(); inFlight--; });
    expect(ok).toEqual({ succeeded: 7, skipped: 0 });
    expect(Math.max(...batches)).toBe(4);
    const calls: number[] = [];
    const failed = await slowStartBatch(10, async (i) => { calls.push(i); if (i === 2) throw new Error('quota'); });
    expect(calls).toEqual([0, 1, 2]);
    expect(failed.succeeded).toBe(2);
    expect(failed.skipped).toBe(7);
    expect(String(failed.error)).toContain('quota');
  });
});

const sandbox = (created: number, conditions: Condition[] = []): Sandbox => ({
  apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox',
  metadata: { name: 's', namespace: 'ns', creationTimestamp: new Date(created).toISOString() },
  spec: { podTemplate: { spec: { containers: [] } } },
  status: { conditions },
});

describe('classifyMember', () => {
  const grace = 60_000;
  it('keeps members within grace and reports the deadline', () => {
    expect(classifyMember(sandbox(0), undefined, 1000, grace)).toEqual({ state: 'starting', deadline: grace + GRACE_SLACK_MS });
    expect(classifyMember(sandbox(0, [{ type: 'Ready', status: 'True', reason: 'DependenciesReady', message: '', lastTransitionTime: '' }]), undefined, 10 * grace, grace)).toEqual({ state: 'ready' });
  });

  it('holds unschedulable and gated pods, keeps pulling ones, replaces the rest', () => {
    const late = 2 * grace;
    const unsched = { metadata: {}, status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } };
    const gated = { metadata: {}, spec: { containers: [], schedulingGates: [{ name: 'kueue.x-k8s.io/admission' }] } };
    const pulling = { metadata: {}, spec: { containers: [], nodeName: 'n' }, status: { phase: 'Pending', containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } };
    const backoff = { ...pulling, status: { ...pulling.status, containerStatuses: [{ ...pulling.status.containerStatuses[0], state: { waiting: { reason: 'ImagePullBackOff' } } }] } };
    expect(classifyMember(sandbox(0), unsched, late, grace)).toEqual({ state: 'held', reason: 'Unschedulable' });
    expect(classifyMember(sandbox(0), gated, late, grace)).toEqual({ state: 'held', reason: 'SchedulingGated' });
    expect(classifyMember(sandbox(0), pulling, late, grace)).toEqual({ state: 'pulling' });
    expect(classifyMember(sandbox(0), backoff, late, grace)).toEqual({ state: 'stuck' });
    expect(classifyMember(sandbox(0), undefined, late, grace)).toEqual({ state: 'stuck' });
    expect(classifyMember(sandbox(0), { ...unsched, metadata: { deletionTimestamp: 'x' } }, late, grace)).toEqual({ state: 'stuck' });
  });
});

describe('memberName', () => {
  it('is the pool name, a dash and five characters of the generateName alphabet, cut to fit a DNS label', () => {
    expect(memberName('pool', () => 0)).toBe('pool-bbbbb');
    expect(memberName('pool')).toMatch(/^pool-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(memberName('p'.repeat(70), () => 0.999)).toBe(`${'p'.repeat(58)}99999`);
  });
});

describe('buildMember', () => {
  const template: SandboxTemplate = {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate',
    metadata: { name: 'tpl', namespace: 'ns', uid: 't-uid' },
    spec: { podTemplate: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, service: true },
  };
  const pool: SandboxWarmPool = {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool',
    metadata: { name: 'pool', namespace: 'ns', uid: 'p-uid' }, spec: { sandboxTemplateRef: { name: 'tpl' } },
  };

  it('carries the shared-contract labels, annotations, owner and secure defaults; the pod template is the template\'s own', () => {
    const m = buildMember(pool, template, true, 'pool-b2c4d');
    expect(m.metadata.name).toBe('pool-b2c4d');
    expect(m.metadata.labels).toEqual({
      [LABEL.warmPoolSandbox]: nameHash('pool'), [LABEL.templateRefHash]: nameHash('tpl'), [LABEL.launchType]: 'warm',
      [LABEL.templateHash]: blueprintHash(template.spec), [LABEL.podTemplateHash]: expect.stringMatching(/^[0-9a-f]{8}$/),
      [LABEL.createdBy]: 'controller',
    });
    expect(m.metadata.annotations).toEqual({ [ANNOTATION.templateRef]: 'tpl', [ANNOTATION.podName]: 'pool-b2c4d', [ANNOTATION.safeToEvict]: 'true' });
    expect(m.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'SandboxWarmPool', uid: 'p-uid', controller: true })]);
    expect(m.spec.podTemplate.spec.automountServiceAccountToken).toBe(false);
    expect(m.spec.podTemplate.metadata).toEqual({ labels: { app: 'x' } });
    expect(m.spec.service).toBe(true);
    expect(buildMember(pool, template, false, 'pool-b2c4d').metadata.annotations).not.toHaveProperty([ANNOTATION.safeToEvict]);
    const keepsOwn = { ...template, spec: { ...template.spec, podTemplate: { ...template.spec.podTemplate, metadata: { annotations: { [ANNOTATION.safeToEvict]: 'false' } } } } };
    expect(buildMember(pool, keepsOwn, true, 'pool-b2c4d').metadata.annotations).not.toHaveProperty([ANNOTATION.safeToEvict]);
    expect(owningPoolKey(m)).toBe('ns/pool');
    expect(warmPoolMemberIndex(m)).toEqual([warmPoolIndexValue('ns', 'pool')]);
  });
});
