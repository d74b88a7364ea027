// Issue 19: startup actions, completion policy and idle timeout on Sandbox, SandboxTemplate and SandboxClaim props:
// carried to the wire unchanged, and bad values fail at synth naming the object and field.
import { Testing } from 'cdk8s';
import { buildSandbox, buildSandboxClaim, buildSandboxTemplate } from '../../../lib/builders';
import { Sandbox } from '../../../lib/cdk8s';

const podTemplate = { spec: { containers: [{ name: 'main', image: 'python:3.12' }] } };
const task = { name: 'task', command: ['python3', 'task.py'], env: [{ name: 'SEED', value: '7' }], workingDir: 'work', timeoutSeconds: 60 };

test('the lifecycle fields reach the wire on all three kinds', () => {
  const startup = { actions: [task], completionPolicy: 'Delete' as const, keepOnFailure: true };
  expect(buildSandbox({ name: 's', podTemplate, startup, idleTimeoutSeconds: 60 }).spec).toMatchObject({ startup, idleTimeoutSeconds: 60 });
  expect(buildSandboxTemplate({ name: 't', podTemplate, startup, idleTimeoutSeconds: 900 }).spec).toMatchObject({ startup, idleTimeoutSeconds: 900 });
  expect(buildSandboxClaim({ name: 'c', warmPoolName: 'p', startup: { actions: [task] } }).spec).toEqual({ warmPoolRef: { name: 'p' }, startup: { actions: [task] } });
});

test('the built startup never shares arrays with the props', () => {
  const props = { name: 's', podTemplate, startup: { actions: [{ command: ['true'] }] } };
  buildSandbox(props).spec.startup!.actions[0]!.command.push('x');
  expect(props.startup.actions[0]!.command).toEqual(['true']);
});

test.each([
  ['an empty command', { startup: { actions: [{ command: [] }] } }, 'startup.actions[0].command must name a program: at least one element, the first not empty'],
  ['an empty program', { startup: { actions: [{ command: [''] }] } }, 'startup.actions[0].command must name a program'],
  ['a negative timeout', { startup: { actions: [{ command: ['x'], timeoutSeconds: -1 }] } }, 'startup.actions[0].timeoutSeconds must be an integer >= 1 (got -1)'],
  ['an idle timeout below the minimum', { idleTimeoutSeconds: 59 }, 'idleTimeoutSeconds must be an integer >= 60 (got 59)'],
  ['an unknown completion policy', { startup: { actions: [{ command: ['x'] }], completionPolicy: 'Pause' } }, 'startup.completionPolicy must be one of Suspend, Delete, KeepRunning (got "Pause")'],
  ['no actions', { startup: { actions: [] } }, 'startup.actions must list 1 to 16 actions (got 0)'],
  ['a duplicate name', { startup: { actions: [{ command: ['x'] }, { name: 'action-0', command: ['y'] }] } }, 'startup.actions[1].name "action-0" is used by an earlier action'],
  ['an empty env name', { startup: { actions: [{ command: ['x'], env: [{ name: '', value: '1' }] }] } }, 'startup.actions[0].env[0].name must not be empty'],
])('%s fails the builders naming the field', (_what, extra, message) => {
  // The props are deliberately outside their types (what untyped callers can pass): the builders must still refuse them.
  expect(() => buildSandbox({ name: 's', podTemplate, ...extra } as never)).toThrow(`Sandbox s: ${message}`);
  expect(() => buildSandboxTemplate({ name: 't', podTemplate, ...extra } as never)).toThrow(`SandboxTemplate t: ${message}`);
  expect(() => buildSandboxClaim({ name: 'c', warmPoolName: 'p', ...extra } as never)).toThrow(`SandboxClaim c: ${message}`);
});

test('a construct with a bad action fails synth naming its path and the field', () => {
  const chart = Testing.chart();
  new Sandbox(chart, 'job', { podTemplate, startup: { actions: [{ command: ['x'], timeoutSeconds: 0 }] } });
  expect(() => Testing.synth(chart)).toThrow(/job.*startup\.actions\[0\]\.timeoutSeconds must be an integer >= 1 \(got 0\)/s);
});
