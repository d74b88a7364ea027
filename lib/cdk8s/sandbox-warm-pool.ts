// SandboxWarmPool: keeps `replicas` pre-warmed sandboxes of a template so claims start warm.

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { buildSandboxWarmPool, SandboxWarmPoolProps as BuilderProps, sandboxWarmPoolProblems } from '../builders/sandbox-resources';
import { addApiObjects, buildWhenValid } from './api-objects';
import { NamingProps, resolveNaming } from './naming';

/** Anything naming a SandboxTemplate: the construct or the name of one in the same namespace. */
export type TemplateReference = { readonly name: string } | string;

export interface SandboxWarmPoolProps extends Omit<BuilderProps, 'name' | 'namespace' | 'templateName'>, NamingProps {
  /** The template members are built from. */
  readonly template: TemplateReference;
}

export class SandboxWarmPool extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The SandboxWarmPool object (undefined when the props are invalid). */
  public readonly apiObject?: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxWarmPoolProps) {
    super(scope, id);
    const { template, ...rest } = props;
    const resolved = { ...rest, ...resolveNaming(this, props), templateName: typeof template === 'string' ? template : template.name };
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.apiObject = buildWhenValid(this, sandboxWarmPoolProblems(resolved), () => addApiObjects(this, [buildSandboxWarmPool(resolved)])[0]);
  }
}
