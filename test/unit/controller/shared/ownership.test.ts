import { LABEL } from '../../../../lib/api';
import { controllerIsKind, isControlledBy, ownershipOf, sandboxOwner } from '../../../../lib/controller/shared/ownership';
import { sandbox } from '../fixtures';

const owner = sandboxOwner(sandbox());
const ref = (apiVersion: string, kind: string, uid: string, controller = true) => ({ apiVersion, kind, name: 'n', uid, controller });

test('isControlledBy compares group, kind and uid, never the version', () => {
  expect(isControlledBy({ ownerReferences: [ref('agents.x-k8s.io/v1alpha1', 'Sandbox', 'uid-box')] }, owner)).toBe(true);
  expect(isControlledBy({ ownerReferences: [ref('other.io/v1beta1', 'Sandbox', 'uid-box')] }, owner)).toBe(false);
  expect(isControlledBy({ ownerReferences: [ref('agents.x-k8s.io/v1beta1', 'Sandbox', 'uid-box', false)] }, owner)).toBe(false);
  expect(isControlledBy({ ownerReferences: [ref('agents.x-k8s.io/v1beta1', 'Sandbox', 'other')] }, owner)).toBe(false);
  expect(controllerIsKind({ ownerReferences: [ref('extensions.agents.x-k8s.io/v1alpha1', 'SandboxWarmPool', 'p')] }, 'extensions.agents.x-k8s.io', 'SandboxWarmPool')).toBe(true);
});

test('ownershipOf: owned, foreign, adoptable only with adoptable=true or the matching name hash', () => {
  expect(ownershipOf({ ownerReferences: [ref('agents.x-k8s.io/v1beta1', 'Sandbox', 'uid-box')] }, owner, 'h')).toBe('owned');
  expect(ownershipOf({ ownerReferences: [ref('apps/v1', 'ReplicaSet', 'rs')], labels: { [LABEL.adoptable]: 'true' } }, owner, 'h')).toBe('foreign');
  expect(ownershipOf({ labels: { [LABEL.adoptable]: 'true' } }, owner, 'h')).toBe('adoptable');
  expect(ownershipOf({ labels: { [LABEL.sandboxNameHash]: 'h' } }, owner, 'h')).toBe('adoptable');
  expect(ownershipOf({ labels: { [LABEL.sandboxNameHash]: 'other', [LABEL.adoptable]: 'yes' } }, owner, 'h')).toBe('unowned');
  expect(ownershipOf({ ownerReferences: [ref('v1', 'ConfigMap', 'c', false)] }, owner, 'h')).toBe('unowned');
});
