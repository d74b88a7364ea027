// The cdk8s CLI validation plugin over real manifest files: report contents and pass/fail status.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { AgentSandboxGuardrails, ValidationContextLike } from '../../../lib/policy';
import { compliantPodSpec } from '../../support/objects';
import { poolWith, templateWith } from './fixtures';

function contextFor(docs: object[]) {
  const file = join(mkdtempSync(join(tmpdir(), 'guardrails-')), 'app.k8s.yaml');
  writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
  const violations: any[] = [];
  const submitted: any[] = [];
  const context: ValidationContextLike = {
    manifests: [file],
    parseManifest: (path) => parseAllDocuments(require('node:fs').readFileSync(path, 'utf8')).map((d) => d.toJSON()),
    report: { addViolation: (v) => violations.push(v), submit: (status, metadata) => submitted.push([status, metadata]) },
  };
  return { context, violations, submitted, file };
}

describe('AgentSandboxGuardrails (cdk8s validation plugin)', () => {
  test('reports each violated rule with resource, field path and manifest, then fails', async () => {
    // GIVEN a manifest with a template missing runtimeClassName and an oversized pool
    const spec = compliantPodSpec();
    delete spec.runtimeClassName;
    const { context, violations, submitted, file } = contextFor([templateWith(spec), poolWith(50)]);
    // WHEN
    await new AgentSandboxGuardrails({ maxWarmPoolReplicas: 10 }).validate(context);
    // THEN
    expect(violations.map((v) => [v.ruleName, v.violatingResources])).toEqual([
      ['runtime-class', [{ resourceName: 'python', locations: ['spec.podTemplate.spec.runtimeClassName'], manifestPath: file }]],
      ['warm-pool-max-replicas', [{ resourceName: 'python', locations: ['spec.replicas'], manifestPath: file }]],
    ]);
    expect(violations[0].fix).toContain('SandboxTemplate team-a/python: spec.podTemplate.spec.runtimeClassName: is not set');
    expect(submitted).toEqual([['failure', { profile: 'restricted' }]]);
  });

  test('passes compliant manifests and skips namespaces outside its scope', async () => {
    const spec = compliantPodSpec();
    spec.hostNetwork = true;
    const { context, violations, submitted } = contextFor([templateWith(compliantPodSpec()), templateWith(spec)]);
    await new AgentSandboxGuardrails({ namespaces: ['team-b'] }).validate(context);
    expect(violations).toEqual([]);
    expect(submitted).toEqual([['success', { profile: 'restricted' }]]);
  });

  test('rejects a bad configuration when loaded', () => {
    // An unknown profile on purpose (a typo in untyped configuration).
    expect(() => new AgentSandboxGuardrails({ profile: 'nope' as never })).toThrow(/unknown guardrail profile "nope"/);
  });
});
