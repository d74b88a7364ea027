// The CLI's command-line contract: kubectl-style global flags, per-command flags and help, usage errors naming the
// problem, cp direction (with an optional namespace).
import { commandUsage, parseInvocation, planCopy, USAGE, UsageError } from '../../../lib/client/cli-args';

const flagsOf = (argv: string[]) => {
  const invocation = parseInvocation(argv);
  if (!('flags' in invocation)) throw new Error(`not a command: ${invocation.command}`);
  return invocation;
};

test('valid invocations', () => {
  expect(flagsOf(['exec', '--claim', 'c1', '--namespace=ns', '--', 'ls', '--all'])).toEqual({
    command: 'exec', flags: new Map([['claim', 'c1'], ['namespace', 'ns']]), operands: [], commandLine: ['ls', '--all'],
  });
  expect(flagsOf(['claim', '--pool', 'python', '--ttl', '60', '-n', 'ml', '--context', 'prod']).flags).toEqual(new Map([
    ['pool', 'python'], ['ttl', '60'], ['namespace', 'ml'], ['context', 'prod'],
  ]));
  expect(flagsOf(['cp', 'c1:out/a.txt', './a.txt']).operands).toEqual(['c1:out/a.txt', './a.txt']);
  expect(flagsOf(['list', '-A']).flags.get('all-namespaces')).toBe('true');
  expect(flagsOf(['terminate', '--claim', 'c1', '--kubeconfig', '/k', '--timeout', '5']).flags.get('timeout')).toBe('5');
});

test('help and version: global, per command, and "help <command>"', () => {
  expect(parseInvocation(['--help'])).toEqual({ command: 'help' });
  expect(parseInvocation(['-h'])).toEqual({ command: 'help' });
  expect(parseInvocation(['--version'])).toEqual({ command: 'version' });
  expect(parseInvocation(['claim', '--help'])).toEqual({ command: 'help', topic: 'claim' });
  expect(parseInvocation(['exec', '-h', '--', 'ls'])).toEqual({ command: 'help', topic: 'exec' });
  expect(parseInvocation(['help', 'cp'])).toEqual({ command: 'help', topic: 'cp' });
  expect(commandUsage('claim')).toContain('--pool POOL');
  expect(commandUsage('claim')).toContain('-n, --namespace NS');
  for (const command of ['claim', 'list', 'exec', 'cp', 'terminate']) expect(USAGE).toContain(`  ${command} `);
});

test.each([
  [[], 'a command is required'],
  [['claws'], 'unknown command "claws" (commands: claim, run, list, exec, cp, terminate)'],
  [['help', 'claws'], 'unknown command "claws"'],
  [['claim'], 'claim needs --pool'],
  [['claim', '--pool'], 'claim: --pool needs a value'],
  [['claim', '--pool='], 'claim: --pool needs a value'],
  [['claim', '--pool', 'p', '--ttl', 'soon'], '--ttl must be a positive number of seconds, got "soon"'],
  [['claim', '--pool', 'p', '--timeout', '0'], '--timeout must be a positive number of seconds, got "0"'],
  [['claim', '--pool', 'p', '--claim', 'c'], 'claim: unknown flag --claim'],
  [['list', '-x'], 'list: unknown flag -x'],
  [['exec', '--claim', 'c1'], 'exec needs the command after "--", e.g. exec --claim NAME -- ls -l'],
  [['exec', '--claim', 'c1', 'ls', '--', 'x'], 'exec takes no arguments before "--", got "ls"'],
  [['cp', 'only-one'], 'cp needs exactly 2 arguments, got 1'],
  [['terminate', '--claim', 'c', '--', 'x'], 'terminate takes nothing after "--"'],
])('%j is a usage error: %s', (argv, message) => {
  expect(() => parseInvocation(argv)).toThrow(new UsageError(message));
});

test('cp: exactly one side names a claim, optionally with its namespace', () => {
  expect(planCopy('my.claim-1:/data/x.csv', 'x.csv')).toEqual({ direction: 'download', claim: 'my.claim-1', remotePath: '/data/x.csv', localPath: 'x.csv' });
  expect(planCopy('./x.csv', 'c1:in/')).toEqual({ direction: 'upload', claim: 'c1', remotePath: 'in/', localPath: './x.csv' });
  expect(planCopy('./x.csv', 'analytics/job-42:in/')).toEqual({ direction: 'upload', namespace: 'analytics', claim: 'job-42', remotePath: 'in/', localPath: './x.csv' });
  expect(() => planCopy('a:x', 'b:y')).toThrow('exactly one of SOURCE and DESTINATION must be "[NAMESPACE/]CLAIM:PATH" (got "a:x" and "b:y")');
  expect(() => planCopy('x', 'y')).toThrow(UsageError);
});

test('run takes the pool and the command after "--"; seconds flags are checked up front', () => {
  expect(parseInvocation(['run', '--pool', 'p', '--task-timeout', '60', '--', 'python3', 'task.py'])).toMatchObject({
    command: 'run', flags: new Map([['pool', 'p'], ['task-timeout', '60']]), commandLine: ['python3', 'task.py'],
  });
  expect(() => parseInvocation(['run', '--pool', 'p'])).toThrow('run needs the command after "--", e.g. run --pool POOL -- ls -l');
  expect(() => parseInvocation(['run', '--pool', 'p', '--task-timeout', '0', '--', 'x'])).toThrow('--task-timeout must be a positive number of seconds, got "0"');
});
