// shlex splitting parity with Python's shlex.split, and runtime flag/env parsing.
import { shlexSplit } from '../../../lib/sandbox-runtime/shlex';
import { parseRuntimeConfig } from '../../../lib/sandbox-runtime/config';

test.each([
  ['ls -la  /tmp', ['ls', '-la', '/tmp']],
  [`echo 'a b' "c \\"d\\"" e\\ f`, ['echo', 'a b', 'c "d"', 'e f']],
  [`python -c 'print("hi")' # comment`, ['python', '-c', 'print("hi")']],
  [`a''b ""`, ['ab', '']],
])('shlexSplit(%j)', (line, expected) => expect(shlexSplit(line)).toEqual(expected));

test('shlexSplit rejects unterminated quotes', () => expect(() => shlexSplit(`echo "x`)).toThrow('No closing quotation'));

test('flags override env which overrides defaults; bad values name the flag', () => {
  const config = parseRuntimeConfig(['--port=9000', '--base-dir', '/w'], { SANDBOX_PORT: '7000', SANDBOX_EXEC_TIMEOUT_SECONDS: '9' });
  expect(config).toMatchObject({ port: 9000, baseDir: '/w', execTimeoutSeconds: 9, host: '0.0.0.0' });
  expect(() => parseRuntimeConfig(['--port', 'x'])).toThrow('--port: expected a positive number, got "x"');
  expect(() => parseRuntimeConfig(['--nope', '1'])).toThrow('unknown flag --nope');
});
