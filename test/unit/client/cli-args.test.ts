// The CLI's command-line contract: accepted flags per command, usage errors naming the problem, cp direction.
import { parseInvocation, planCopy, UsageError } from '../../../lib/client/cli-args';

test('valid invocations', () => {
  expect(parseInvocation(['exec', '--claim', 'c1', '--namespace=ns', '--', 'ls', '--all'])).toEqual({
    command: 'exec', flags: new Map([['claim', 'c1'], ['namespace', 'ns']]), operands: [], commandLine: ['ls', '--all'],
  });
  expect(parseInvocation(['claim', '--pool', 'python', '--ttl', '60']).flags.get('ttl')).toBe('60');
  expect(parseInvocation(['cp', 'c1:out/a.txt', './a.txt']).operands).toEqual(['c1:out/a.txt', './a.txt']);
  expect(parseInvocation(['--help']).command).toBe('help');
});

test.each([
  [[], 'a command is required'],
  [['claws'], 'unknown command "claws"'],
  [['claim'], 'claim needs --pool'],
  [['claim', '--pool'], '--pool needs a value'],
  [['claim', '--pool', '--name', 'x'], '--pool needs a value'],
  [['claim', '--pool', 'p', '--ttl', 'soon'], '--ttl must be a positive number of seconds, got "soon"'],
  [['claim', '--pool', 'p', '--claim', 'c'], 'claim does not take --claim (it takes --pool, --name, --ttl, --timeout, --namespace, --router-url, --token, --kubeconfig)'],
  [['exec', '--claim', 'c1'], 'exec needs the command after "--", e.g. exec --claim NAME -- ls -l'],
  [['exec', '--claim', 'c1', 'ls', '--', 'x'], 'exec takes no arguments before "--", got "ls"'],
  [['cp', 'only-one'], 'cp needs exactly 2 arguments, got 1'],
])('%j is a usage error: %s', (argv, message) => {
  expect(() => parseInvocation(argv)).toThrow(new UsageError(message));
});

test('cp: exactly one side names a claim', () => {
  expect(planCopy('my.claim-1:/data/x.csv', 'x.csv')).toEqual({ direction: 'download', claim: 'my.claim-1', remotePath: '/data/x.csv', localPath: 'x.csv' });
  expect(planCopy('./x.csv', 'c1:in/')).toEqual({ direction: 'upload', claim: 'c1', remotePath: 'in/', localPath: './x.csv' });
  expect(() => planCopy('a:x', 'b:y')).toThrow('exactly one of SOURCE and DESTINATION must be "<claim>:<path>" (got "a:x" and "b:y")');
  expect(() => planCopy('x', 'y')).toThrow(UsageError);
});
