// takeCensus: how one cache snapshot of a pool's members is classified before the pool acts on it.
import { LABEL, nameHash, type Sandbox, type SandboxTemplate, type SandboxWarmPool } from '../../../../lib/api';
import { takeCensus, type CensusInput } from '../../../../lib/controller/warm-pool/census';
import { buildMember } from '../../../../lib/controller/warm-pool/member';

const template = (image: string): SandboxTemplate => ({
  apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate',
  metadata: { name: 'tpl', namespace: 'ns', uid: 't' },
  spec: { podTemplate: { spec: { containers: [{ name: 'c', image }] } } },
});
const pool = (strategy?: 'Recreate'): SandboxWarmPool => ({
  apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool',
  metadata: { name: 'pool', namespace: 'ns', uid: 'p' },
  spec: { sandboxTemplateRef: { name: 'tpl' }, ...(strategy ? { updateStrategy: { type: strategy } } : {}) },
});

let n = 0;
function member(p: SandboxWarmPool, t: SandboxTemplate, extra: Partial<Sandbox['metadata']> = {}, ready = true): Sandbox {
  n++;
  const m = buildMember(p, t, true, `pool-${n}`);
  return {
    ...m,
    metadata: { ...m.metadata, name: `pool-${n}`, uid: `u${n}`, creationTimestamp: new Date(0).toISOString(), ...extra },
    status: ready ? { conditions: [{ type: 'Ready', status: 'True', reason: 'DependenciesReady', message: '', lastTransitionTime: '' }] } : {},
  };
}

const input = (p: SandboxWarmPool, t: SandboxTemplate | undefined, members: Sandbox[], pending: string[] = []): CensusInput => ({
  pool: p, template: t, members, podOf: () => undefined, deletionPending: (uid) => pending.includes(uid), now: 10 * 60_000, graceMs: 5 * 60_000,
});

describe('takeCensus', () => {
  it('counts ready members, terminating ones (deleting or pending deletion), and ignores foreign-controlled ones', () => {
    const p = pool();
    const t = template('i:1');
    const ready = member(p, t);
    const deleting = member(p, t, { deletionTimestamp: new Date().toISOString() });
    const pending = member(p, t);
    const adopted = member(p, t, { ownerReferences: [{ apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim', name: 'c', uid: 'c', controller: true }] });
    const c = takeCensus(input(p, t, [ready, deleting, pending, adopted], [pending.metadata.uid!]));
    expect(c.active).toEqual([ready]);
    expect(c.terminating).toBe(2);
    expect(c.doomed).toEqual([]);
  });

  it('dooms stale members only under Recreate, stale orphans always, and stuck members past grace', () => {
    const old = template('i:1');
    const now = template('i:2');
    const lazy = pool();
    const eager = pool('Recreate');
    expect(takeCensus(input(lazy, now, [member(lazy, old)])).active).toHaveLength(1);
    expect(takeCensus(input(eager, now, [member(eager, old)])).doomed.map((d) => d.why)).toEqual(['stale']);
    const orphan = member(lazy, old, { ownerReferences: [] });
    expect(takeCensus(input(lazy, now, [orphan])).doomed).toEqual([{ sandbox: orphan, owned: false, why: 'stale' }]);
    const freshOrphan = member(lazy, now, { ownerReferences: [] });
    expect(takeCensus(input(lazy, now, [freshOrphan])).orphans).toEqual([freshOrphan]);
    expect(takeCensus(input(lazy, undefined, [member(eager, old)])).active).toHaveLength(1); // no template: nothing is stale
    const stuck = member(lazy, now, {}, false);
    expect(takeCensus(input(lazy, now, [stuck])).doomed).toEqual([{ sandbox: stuck, owned: true, why: 'stuck' }]);
    const young = member(lazy, now, { creationTimestamp: new Date(9 * 60_000).toISOString() }, false);
    expect(takeCensus(input(lazy, now, [young])).nextDeadline).toBe(14 * 60_000 + 2000);
    expect(young.metadata.labels?.[LABEL.warmPoolSandbox]).toBe(nameHash('pool'));
  });
});
