import { nameHash } from '../../../lib/api/name-hash';
import { parseDuration } from '../../../lib/api/duration';
import { isSystemKey, normaliseCreatedBy } from '../../../lib/api/metadata-keys';

test('nameHash is FNV-1a 32-bit as 8 hex chars', () => {
  // Published FNV-1a test vectors.
  expect(nameHash('')).toBe('811c9dc5');
  expect(nameHash('a')).toBe('e40c292c');
  expect(nameHash('foobar')).toBe('bf9cf968');
  expect(nameHash('my-sandbox')).toMatch(/^[0-9a-f]{8}$/);
});

test.each([
  ['0', 0], ['0s', 0], ['300ms', 300], ['1m30s', 90_000], ['1.5h', 5_400_000], ['2us', 0.002],
])('parseDuration(%s) = %d ms', (text, ms) => expect(parseDuration(text)).toBeCloseTo(ms));

test.each(['', '5', 'm', '5 m', '5mx', '-1s'])('parseDuration rejects %j', (text) => expect(parseDuration(text)).toBeNaN());

test('system keys and created-by normalisation', () => {
  expect(isSystemKey('agents.x-k8s.io/claim-uid', 'label')).toBe(true);
  expect(isSystemKey('extensions.agents.x-k8s.io/x', 'annotation')).toBe(true);
  expect(isSystemKey('opentelemetry.io/trace-context', 'annotation')).toBe(true);
  expect(isSystemKey('opentelemetry.io/trace-context', 'label')).toBe(false);
  expect(isSystemKey('team.example.com/owner', 'label')).toBe(false);
  expect(normaliseCreatedBy('python-client')).toBe('python-client');
  expect(normaliseCreatedBy('my-script')).toBe('unknown');
  expect(normaliseCreatedBy(undefined)).toBe('unknown');
});
