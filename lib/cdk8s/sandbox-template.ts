// SandboxTemplate: a reusable sandbox blueprint plus the policies claims are held to; `addWarmPool()`
// keeps pre-warmed sandboxes of it.

import type { Construct } from 'constructs';
import { SANDBOX_TEMPLATE } from '../api/groups';
import { buildSandboxTemplate, SandboxTemplateProps as BuilderProps, sandboxTemplateProblems } from '../builders/sandbox-resources';
import type { NamingProps } from './naming';
import { SandboxKindConstruct } from './sandbox-kind';
import { SandboxWarmPool, SandboxWarmPoolProps } from './sandbox-warm-pool';

export interface SandboxTemplateProps extends Omit<BuilderProps, 'name' | 'namespace'>, NamingProps {}

export class SandboxTemplate extends SandboxKindConstruct {
  constructor(scope: Construct, id: string, props: SandboxTemplateProps) {
    super(scope, id, SANDBOX_TEMPLATE, props, (naming) => {
      const resolved = { ...props, ...naming };
      return { problems: sandboxTemplateProblems(resolved), build: () => buildSandboxTemplate(resolved) };
    });
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
