// Issue 19: the lifecycle fields (startup actions, completion policy, idle timeout) in a real API server: valid ones
// round-trip with their defaults; bad ones are refused at apply with the field and the reason.
import { SANDBOX, SANDBOX_CLAIM, SANDBOX_TEMPLATE } from '../../../lib/api';
import { applyServerSide, getObject, installCrds, useTestNamespace } from '../harness';

const ns = useTestNamespace('lifecycle-crds');
beforeAll(installCrds);

const podTemplate = { spec: { containers: [{ name: 'agent', image: 'example.invalid/agent:1' }] } };
const sandbox = (name: string, spec: Record<string, unknown>) => ({ apiVersion: SANDBOX.apiVersion, kind: SANDBOX.kind, metadata: { name }, spec: { podTemplate, ...spec } });
const template = (name: string, spec: Record<string, unknown>) => ({ apiVersion: SANDBOX_TEMPLATE.apiVersion, kind: SANDBOX_TEMPLATE.kind, metadata: { name }, spec: { podTemplate, ...spec } });
const claim = (name: string, spec: Record<string, unknown>) => ({ apiVersion: SANDBOX_CLAIM.apiVersion, kind: SANDBOX_CLAIM.kind, metadata: { name }, spec: { warmPoolRef: { name: 'pool' }, ...spec } });
const apply = (obj: object) => applyServerSide([obj], { namespace: ns.name });
const startup = (action: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ startup: { actions: [{ command: ['python3', 'task.py'], ...action }], ...extra } });

test('valid startup actions and an idle timeout are stored with the default completion policy on all three kinds', async () => {
  await apply(sandbox('ok', { ...startup({ name: 'task', env: [{ name: 'A', value: '1' }], workingDir: 'work', timeoutSeconds: 30 }), idleTimeoutSeconds: 60 }));
  await apply(template('ok', { ...startup({}, { completionPolicy: 'Delete', keepOnFailure: true }), idleTimeoutSeconds: 900 }));
  await apply(claim('ok', { ...startup({}), idleTimeoutSeconds: 120 }));
  expect((await getObject(SANDBOX.plural, 'ok', { namespace: ns.name }))?.spec).toMatchObject({
    startup: { completionPolicy: 'Suspend', actions: [{ name: 'task', command: ['python3', 'task.py'], env: [{ name: 'A', value: '1' }], workingDir: 'work', timeoutSeconds: 30 }] },
    idleTimeoutSeconds: 60,
  });
  expect((await getObject(SANDBOX_TEMPLATE.plural, 'ok', { namespace: ns.name }))?.spec).toMatchObject({ startup: { completionPolicy: 'Delete', keepOnFailure: true }, idleTimeoutSeconds: 900 });
  expect((await getObject(SANDBOX_CLAIM.plural, 'ok', { namespace: ns.name }))?.spec).toMatchObject({ startup: { completionPolicy: 'Suspend' }, idleTimeoutSeconds: 120 });
});

test.each([
  ['an empty command', sandbox('bad', startup({ command: [] })), /spec\.startup\.actions\[0\]\.command: Invalid value: .*command must name a program/],
  ['a command whose program is empty', claim('bad', startup({ command: ['', 'x'] })), /spec\.startup\.actions\[0\]\.command: Invalid value: .*command must name a program/],
  ['a negative timeout', template('bad', startup({ timeoutSeconds: -5 })), /spec\.startup\.actions\[0\]\.timeoutSeconds: Invalid value: -5: spec\.startup\.actions\[0\]\.timeoutSeconds in body should be greater than or equal to 1/],
  ['an idle timeout below the minimum', sandbox('bad', { idleTimeoutSeconds: 10 }), /spec\.idleTimeoutSeconds: Invalid value: 10: spec\.idleTimeoutSeconds in body should be greater than or equal to 60/],
  ['an unknown completion policy', claim('bad', startup({}, { completionPolicy: 'Pause' })), /spec\.startup\.completionPolicy: Unsupported value: "Pause": supported values: "Suspend", "Delete", "KeepRunning"/],
  ['no actions', sandbox('bad', { startup: { actions: [] } }), /spec\.startup\.actions: Invalid value: 0: spec\.startup\.actions in body should have at least 1 items/],
  ['two actions of one name', sandbox('bad', { startup: { actions: [{ name: 'a', command: ['true'] }, { name: 'a', command: ['false'] }] } }), /spec\.startup\.actions: Invalid value: .*action names must be unique/],
])('%s is refused naming the field', async (_what, obj, message) => {
  await expect(apply(obj)).rejects.toThrow(message);
});
