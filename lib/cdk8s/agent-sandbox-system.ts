// AgentSandboxSystem: the whole controller installation (CRDs first, then namespace, RBAC, Deployment,
// Service, PodDisruptionBudget and optional ServiceMonitor) as one construct.

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CONTROLLER_NAME } from '../builders/controller-deployment';
import { buildSystem } from '../builders/system';
import { AgentSandboxSystemProps, resolveSystemProps, systemProblems } from '../builders/system-props';
import { addApiObjects, buildWhenValid } from './api-objects';

export type { AgentSandboxSystemProps } from '../builders/system-props';

export class AgentSandboxSystem extends Construct {
  /** Namespace the controller runs in. */
  public readonly namespace: string;
  /** The controller's ServiceAccount name (for extra RoleBindings, admission exclusions, ...). */
  public readonly serviceAccountName = CONTROLLER_NAME;
  /** The emitted objects, in apply order (empty when the props are invalid). */
  public readonly apiObjects: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: AgentSandboxSystemProps = {}) {
    super(scope, id);
    const problems = systemProblems(props);
    this.namespace = problems.length === 0 ? resolveSystemProps(props).namespace : props.namespace ?? '';
    this.apiObjects = buildWhenValid(this, problems, () => addApiObjects(this, buildSystem(props))) ?? [];
  }
}
