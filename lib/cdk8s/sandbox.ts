// Sandbox: one isolated, stateful pod (agents.x-k8s.io/v1beta1) from a typed pod template.

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { buildSandbox, SandboxProps as BuilderProps, sandboxProblems } from '../builders/sandbox-resources';
import { addApiObjects, buildWhenValid } from './api-objects';
import { NamingProps, resolveNaming } from './naming';

export interface SandboxProps extends Omit<BuilderProps, 'name' | 'namespace'>, NamingProps {}

export class Sandbox extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The Sandbox object (undefined when the props are invalid). */
  public readonly apiObject?: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxProps) {
    super(scope, id);
    const resolved = { ...props, ...resolveNaming(this, props) };
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.apiObject = buildWhenValid(this, sandboxProblems(resolved), () => addApiObjects(this, [buildSandbox(resolved)])[0]);
  }
}
