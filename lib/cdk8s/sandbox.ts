// Sandbox: one isolated, stateful pod (agents.x-k8s.io/v1beta1) from a typed pod template.

import type { Construct } from 'constructs';
import { SANDBOX } from '../api/groups';
import { buildSandbox, SandboxProps as BuilderProps, sandboxProblems } from '../builders/sandbox-resources';
import type { NamingProps } from './naming';
import { SandboxKindConstruct } from './sandbox-kind';

export interface SandboxProps extends Omit<BuilderProps, 'name' | 'namespace'>, NamingProps {}

export class Sandbox extends SandboxKindConstruct {
  constructor(scope: Construct, id: string, props: SandboxProps) {
    super(scope, id, SANDBOX, props, (naming) => {
      const resolved = { ...props, ...naming };
      return { problems: sandboxProblems(resolved), build: () => buildSandbox(resolved) };
    });
  }
}
