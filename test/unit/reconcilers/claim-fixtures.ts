// Test fixtures for the claim controller's pure parts: a template, a pool, a Ready pool member and a claim.
import { LABEL, ANNOTATION } from '../../../lib/api/metadata-keys';
import { nameHash } from '../../../lib/api/name-hash';
import type { Sandbox, SandboxClaim, SandboxTemplate, SandboxTemplateSpec } from '../../../lib/api/types';

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
  };
}

export function claim(spec: Partial<SandboxClaim['spec']> = {}, name = 'c1'): SandboxClaim {
  return {
    apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxClaim',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, generation: 3, labels: { [LABEL.createdBy]: 'python-client' } },
    spec: { warmPoolRef: { name: 'pool' }, ...spec },
  };
}

export function member(name: string, opts: { ready?: boolean; ip?: boolean; pool?: string } = {}): Sandbox {
  const pool = opts.pool ?? 'pool';
  return {
    apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox',
    metadata: {
      name, namespace: 'team-a', resourceVersion: '41',
      labels: {
        [LABEL.warmPoolSandbox]: nameHash(pool), [LABEL.templateRefHash]: nameHash('python'), [LABEL.templateHash]: 'abc',
        [LABEL.podTemplateHash]: 'def', [LABEL.launchType]: 'warm', [LABEL.createdBy]: 'controller',
      },
      annotations: { [ANNOTATION.templateRef]: 'python' },
      ownerReferences: [{ apiVersion: 'extensions.agents.x-k8s.io/v1beta1', kind: 'SandboxWarmPool', name: pool, uid: 'pool-uid', controller: true }],
    },
    spec: {
      podTemplate: {
        metadata: {
          labels: { app: 'agent', [LABEL.warmPoolSandbox]: nameHash(pool), [LABEL.templateRefHash]: nameHash('python'), [LABEL.createdBy]: 'controller' },
          annotations: { note: 'from-template', [ANNOTATION.safeToEvict]: 'true' },
        },
        spec: { containers: [{ name: 'main', image: 'python:3' }] },
      },
    },
    status: {
      podIPs: opts.ip === false ? [] : ['127.0.10.1'],
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', reason: 'DependenciesReady', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    },
  };
}
