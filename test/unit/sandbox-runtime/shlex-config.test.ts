// shlex splitting parity with Python's shlex.split, and runtime flag/env parsing.
import { shlexSplit } from '../../../lib/sandbox-runtime/shlex';
import { parseRuntimeConfig } from '../../../lib/sandbox-runtime/config';
// Generated from Python's shlex.split by scripts/generate-shlex-fixtures.ts.
import generated from './fixtures/shlex.json';

interface ShlexFixture {
  readonly input: string;
  readonly output?: string[];
  readonly error?: string;
}
const fixtures: readonly ShlexFixture[] = generated;

test.each(fixtures.filter((f) => f.output).map((f) => [f.input, f.output!]))('shlexSplit(%j) is Python\'s %j', (line, expected) => {
  expect(shlexSplit(line)).toEqual(expected);
});

test.each(fixtures.filter((f) => f.error).map((f) => [f.input, f.error!]))('shlexSplit(%j) fails as Python does: %s', (line, error) => {
  expect(() => shlexSplit(line)).toThrow(error);
});

test('the fixtures cover an unquoted # (kept, as Python keeps it) and both errors', () => {
  expect(fixtures.find((f) => f.input === 'echo a #b c')?.output).toEqual(['echo', 'a', '#b', 'c']);
  expect(new Set(fixtures.flatMap((f) => f.error ?? []))).toEqual(new Set(['No closing quotation', 'No escaped character']));
});

test('flags override env which overrides defaults; bad values name the flag', () => {
  const config = parseRuntimeConfig(['--port=9000', '--base-dir', '/w'], { SANDBOX_PORT: '7000', SANDBOX_EXEC_TIMEOUT_SECONDS: '9' });
  expect(config).toMatchObject({ port: 9000, baseDir: '/w', execTimeoutSeconds: 9, host: '0.0.0.0' });
  expect(() => parseRuntimeConfig(['--port', 'x'])).toThrow('--port: expected a positive number, got "x"');
  expect(() => parseRuntimeConfig(['--nope', '1'])).toThrow('unknown flag --nope');
});
