// SandboxTemplate: a reusable sandbox blueprint plus the policies claims are held to; `addWarmPool()`
// keeps pre-warmed sandboxes of it.

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { buildSandboxTemplate, SandboxTemplateProps as BuilderProps, sandboxTemplateProblems } from '../builders/sandbox-resources';
import { addApiObjects, buildWhenValid } from './api-objects';
import { NamingProps, resolveNaming } from './naming';
import { SandboxWarmPool, SandboxWarmPoolProps } from './sandbox-warm-pool';

export interface SandboxTemplateProps extends Omit<BuilderProps, 'name' | 'namespace'>, NamingProps {}

export class SandboxTemplate extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The SandboxTemplate object (undefined when the props are invalid). */
  public readonly apiObject?: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxTemplateProps) {
    super(scope, id);
    const resolved = { ...props, ...resolveNaming(this, props) };
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.apiObject = buildWhenValid(this, sandboxTemplateProblems(resolved), () => addApiObjects(this, [buildSandboxTemplate(resolved)])[0]);
  }

  /**
   * Adds a warm pool of this template, in the template's namespace, as a child construct. The pool is named after
   * the template unless `props.name` says otherwise, so claims name it as they would the template
   * (`warmPool: 'python'`); add a second pool of the same template with a name of its own.
   * @param id construct id of the pool
   * @param props pool settings; `replicas` defaults to 1
   */
  public addWarmPool(id: string, props: Omit<SandboxWarmPoolProps, 'template' | 'namespace'> = {}): SandboxWarmPool {
    return new SandboxWarmPool(this, id, { name: this.name, ...props, template: this, namespace: this.namespace });
  }
}
