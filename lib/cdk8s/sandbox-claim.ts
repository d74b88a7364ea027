// SandboxClaim: a request for one sandbox from a warm pool (usually made by agents at run time; as IaC it
// suits long-lived sandboxes such as a shared dev environment).

import type { Construct } from 'constructs';
import { SANDBOX_CLAIM } from '../api/groups';
import { buildSandboxClaim, SandboxClaimProps as BuilderProps, sandboxClaimProblems } from '../builders/sandbox-resources';
import type { NamingProps } from './naming';
import { SandboxKindConstruct } from './sandbox-kind';

export interface SandboxClaimProps extends Omit<BuilderProps, 'name' | 'namespace' | 'warmPoolName'>, NamingProps {
  /** The warm pool to claim from: the construct or the name of one in the same namespace. */
  readonly warmPool: { readonly name: string } | string;
}

export class SandboxClaim extends SandboxKindConstruct {
  constructor(scope: Construct, id: string, props: SandboxClaimProps) {
    super(scope, id, SANDBOX_CLAIM, props, (naming) => {
      const { warmPool, ...rest } = props;
      const resolved = { ...rest, ...naming, warmPoolName: typeof warmPool === 'string' ? warmPool : warmPool.name };
      return { problems: sandboxClaimProblems(resolved), build: () => buildSandboxClaim(resolved) };
    });
  }
}
