// Test fixtures for the claim controller's pure parts: a template, a pool, a Ready pool member and a claim.
import type { Condition } from 'kubernetes-types/meta/v1';
import { TEMPLATE_REASON } from '../../../../lib/api/conditions';
import { LABEL } from '../../../../lib/api/metadata-keys';
import type { Sandbox, SandboxClaim, SandboxTemplate, SandboxTemplateSpec, SandboxWarmPool } from '../../../../lib/api/types';
import { buildMember } from '../../../../lib/controller/warm-pool/member';

/** A template whose NetworkPolicy is in place (the template controller's Ready condition), so claims may use it. */
export function template(spec: Partial<SandboxTemplateSpec> = {}): SandboxTemplate {
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxTemplate',
    metadata: { name: 'python', namespace: 'team-a' },
    spec: {
      podTemplate: {
        metadata: { labels: { app: 'agent' }, annotations: { note: 'from-template' } },
        spec: { containers: [{ name: 'main', image: 'python:3', env: [{ name: 'MODE', value: 'x' }] }, { name: 'side', image: 'busybox' }] },
      },
      ...spec,
    },
    status: { conditions: [networkPolicyInPlace(spec.networkPolicyManagement)] },
  };
}

/** The template Ready condition the pool and claim controllers wait for. */
export function networkPolicyInPlace(management: SandboxTemplateSpec['networkPolicyManagement'] = 'Managed'): Condition {
  const reason = management === 'Managed' ? TEMPLATE_REASON.networkPolicyReady : TEMPLATE_REASON.networkPolicyUnmanaged;
  return { type: 'Ready', status: 'True', reason, message: '', lastTransitionTime: '2026-01-01T00:00:00Z' };
}

export function claim(spec: Partial<SandboxClaim['spec']> = {}, name = 'c1'): SandboxClaim {
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, generation: 3, labels: { [LABEL.createdBy]: 'python-client' } },
    spec: { warmPoolRef: { name: 'pool' }, ...spec },
  };
}

/** A pool member exactly as the pool builds it (with safe-to-evict marking on), plus cache fields and a status. */
export function member(name: string, opts: { ready?: boolean; ip?: boolean; pool?: string } = {}): Sandbox {
  const pool: SandboxWarmPool = {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool',
    metadata: { name: opts.pool ?? 'pool', namespace: 'team-a', uid: 'pool-uid' }, spec: { sandboxTemplateRef: { name: 'python' } },
  };
  const built = buildMember(pool, template(), true, name);
  return {
    ...built,
    metadata: { ...built.metadata, resourceVersion: '41' },
    status: {
      podIPs: opts.ip === false ? [] : ['127.0.10.1'],
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', reason: 'DependenciesReady', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    },
  };
}
