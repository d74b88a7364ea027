// SandboxWarmPool: keeps `replicas` pre-warmed sandboxes of a template so claims start warm.

import type { Construct } from 'constructs';
import { SANDBOX_WARM_POOL } from '../api/groups';
import { buildSandboxWarmPool, SandboxWarmPoolProps as BuilderProps, sandboxWarmPoolProblems } from '../builders/sandbox-resources';
import type { NamingProps } from './naming';
import { SandboxKindConstruct } from './sandbox-kind';

/** Anything naming a SandboxTemplate: the construct or the name of one in the same namespace. */
export type TemplateReference = { readonly name: string } | string;

export interface SandboxWarmPoolProps extends Omit<BuilderProps, 'name' | 'namespace' | 'templateName'>, NamingProps {
  /** The template members are built from. */
  readonly template: TemplateReference;
}

export class SandboxWarmPool extends SandboxKindConstruct {
  constructor(scope: Construct, id: string, props: SandboxWarmPoolProps) {
    super(scope, id, SANDBOX_WARM_POOL, props, (naming) => {
      const { template, ...rest } = props;
      const resolved = { ...rest, ...naming, templateName: typeof template === 'string' ? template : template.name };
      return { problems: sandboxWarmPoolProblems(resolved), build: () => buildSandboxWarmPool(resolved) };
    });
  }
}
