import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClaimFailure } from '../../../../lib/controller/claim/failure';
import {
  DEFAULT_ALLOWED_LABEL_DOMAINS, loadAllowedLabelDomains, mergeWithoutOverrides, validateAdditionalPodMetadata,
} from '../../../../lib/controller/claim/pod-metadata';

const domains = DEFAULT_ALLOWED_LABEL_DOMAINS;

function reasonOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof ClaimFailure ? `${err.reason}: ${err.message}` : `plain: ${(err as Error).message}`;
  }
}

describe('additionalPodMetadata validation', () => {
  test('accepts labels under an allowed domain or subdomain and ordinary annotations', () => {
    expect(reasonOf(() => validateAdditionalPodMetadata({
      labels: { 'sandbox.users.io/team': 'a', 'x.sandbox.users.io/run': 'b-1' },
      annotations: { note: 'free text', 'example.com/x': 'y', 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' },
    }, domains))).toBeUndefined();
  });

  test.each([
    [{ labels: { team: 'a' } }, /labels\["team"\]: label keys must be prefixed with an allowed domain/],
    [{ labels: { 'evil.io/team': 'a' } }, /allowed domain \(sandbox.users.io\)/],
    [{ labels: { app: 'Sandbox-Router' } }, /impersonate the sandbox router/],
    [{ labels: { 'sandbox.users.io/team': 'not valid!' } }, /invalid label value/],
    [{ labels: { 'sandbox.users.io/bad key': 'a' } }, /invalid key: name part/],
    [{ annotations: { 'agents.x-k8s.io/pod-name': 'x' } }, /annotations\["agents.x-k8s.io\/pod-name"\]: the agents.x-k8s.io domain is reserved/],
    [{ annotations: { 'foo.k8s.io/x': 'x' } }, /foo.k8s.io domain is reserved/],
    [{ annotations: { 'UPPER_prefix/x': 'x' } }, /prefix must be a DNS subdomain/],
  ])('rejects %j with InvalidMetadata', (meta, message) => {
    const got = reasonOf(() => validateAdditionalPodMetadata(meta, domains));
    expect(got).toMatch(/^InvalidMetadata: spec\.additionalPodMetadata\./);
    expect(got).toMatch(message);
  });

  test('allow-list file: comma/newline separated, lower-cased; default when missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'domains-'));
    const file = join(dir, 'allowed');
    writeFileSync(file, 'Corp.Example\n  team.io, \n');
    expect(loadAllowedLabelDomains(file)).toEqual(['corp.example', 'team.io']);
    expect(loadAllowedLabelDomains(join(dir, 'missing'))).toEqual(['sandbox.users.io']);
  });
});

describe('mergeWithoutOverrides', () => {
  test('adds new keys and accepts equal values', () => {
    expect(mergeWithoutOverrides({ a: '1' }, { a: '1', b: '2' }, 'labels')).toEqual({ a: '1', b: '2' });
  });
  test('a different value for a template key is a plain error naming the key', () => {
    expect(() => mergeWithoutOverrides({ a: '1' }, { a: '2' }, 'spec.additionalPodMetadata.labels'))
      .toThrow('metadata override conflict: spec.additionalPodMetadata.labels["a"] is "1" in the template, the claim asks for "2"');
  });
});
