import type { PersistentVolumeClaimTemplate } from '../../../../lib/api/types';
import { injectClaimEnv } from '../../../../lib/controller/claim/env';
import { ClaimFailure } from '../../../../lib/controller/claim/failure';
import { mergeVolumeClaimTemplates } from '../../../../lib/controller/claim/volumes';
import { template } from './fixtures';

const podSpec = template().spec.podTemplate.spec;

describe('env injection', () => {
  test('Allowed appends new names to the first container without touching the input', () => {
    const out = injectClaimEnv(podSpec, [{ name: 'TOKEN', value: 't' }, { name: 'X', value: '1', containerName: 'side' }], 'Allowed', 'python');
    expect(out.containers[0].env).toEqual([{ name: 'MODE', value: 'x' }, { name: 'TOKEN', value: 't' }]);
    expect(out.containers[1].env).toEqual([{ name: 'X', value: '1' }]);
    expect(podSpec.containers[0].env).toEqual([{ name: 'MODE', value: 'x' }]);
  });

  test('Overrides replaces an existing variable entirely', () => {
    const spec = { containers: [{ name: 'main', env: [{ name: 'MODE', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] };
    expect(injectClaimEnv(spec, [{ name: 'MODE', value: 'y' }], 'Overrides', 'python').containers[0].env).toEqual([{ name: 'MODE', value: 'y' }]);
  });

  test.each([
    [undefined, /EnvVarsInjectionRejected.*envVarsInjectionPolicy Disallowed/],
    ['Disallowed' as const, /EnvVarsInjectionRejected.*Disallowed/],
  ])('policy %s rejects', (policy, message) => {
    expect(() => injectClaimEnv(podSpec, [{ name: 'A', value: 'b' }], policy, 'python')).toThrow(ClaimFailure);
    try { injectClaimEnv(podSpec, [{ name: 'A', value: 'b' }], policy, 'python'); } catch (err) {
      expect(`${(err as ClaimFailure).reason} ${(err as Error).message}`).toMatch(message);
    }
  });

  test('Allowed rejects a target container with envFrom; Overrides accepts it', () => {
    const spec = { containers: [{ name: 'main', envFrom: [{ configMapRef: { name: 'cm' } }] }] };
    expect(() => injectClaimEnv(spec, [{ name: 'A', value: 'b' }], 'Allowed', 'python')).toThrow(/uses envFrom/);
    expect(injectClaimEnv(spec, [{ name: 'A', value: 'b' }], 'Overrides', 'python').containers[0].env).toEqual([{ name: 'A', value: 'b' }]);
  });

  test('Allowed refuses to override an existing name, unknown containers are plain errors', () => {
    expect(() => injectClaimEnv(podSpec, [{ name: 'MODE', value: 'y' }], 'Allowed', 'python')).toThrow(/already set in container "main"/);
    let err: unknown;
    try { injectClaimEnv(podSpec, [{ name: 'A', value: 'b', containerName: 'nope' }], 'Overrides', 'python'); } catch (e) { err = e; }
    expect(err).not.toBeInstanceOf(ClaimFailure);
    expect((err as Error).message).toBe('spec.env[0].containerName: container "nope" not found in SandboxTemplate "python"');
  });
});

describe('volumeClaimTemplates merge', () => {
  const vct = (name: string, size = '1Gi'): PersistentVolumeClaimTemplate => ({ metadata: { name }, spec: { resources: { requests: { storage: size } } } });
  const reason = (fn: () => unknown) => { try { fn(); return undefined; } catch (e) { return `${(e as ClaimFailure).reason}: ${(e as Error).message}`; } };

  test('no claim entries keeps the template list', () => {
    expect(mergeVolumeClaimTemplates([vct('data')], undefined, undefined, 't')).toEqual([vct('data')]);
    expect(mergeVolumeClaimTemplates(undefined, [], 'Disallowed', 't')).toBeUndefined();
  });
  test('Disallowed (the default) rejects claim entries', () => {
    expect(reason(() => mergeVolumeClaimTemplates([], [vct('x')], undefined, 't'))).toMatch(/^VolumeClaimTemplatesError: .*Policy Disallowed/);
  });
  test('Allowed appends and forbids name collisions', () => {
    expect(mergeVolumeClaimTemplates([vct('data')], [vct('cache')], 'Allowed', 't')).toEqual([vct('data'), vct('cache')]);
    expect(reason(() => mergeVolumeClaimTemplates([vct('data')], [vct('data', '2Gi')], 'Allowed', 't'))).toMatch(/"data" is defined by SandboxTemplate "t"/);
  });
  test('Overrides replaces same-name entries in template order and appends new ones', () => {
    expect(mergeVolumeClaimTemplates([vct('a'), vct('b')], [vct('c'), vct('a', '9Gi')], 'Overrides', 't')).toEqual([vct('a', '9Gi'), vct('b'), vct('c')]);
  });
  test('names must be present and unique', () => {
    expect(reason(() => mergeVolumeClaimTemplates([], [{ spec: {} }], 'Allowed', 't'))).toMatch(/spec.volumeClaimTemplates\[0\].metadata.name: required/);
    expect(reason(() => mergeVolumeClaimTemplates([], [vct('x'), vct('x')], 'Allowed', 't'))).toMatch(/duplicate name "x"/);
  });
});
