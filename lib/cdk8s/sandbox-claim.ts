// SandboxClaim: a request for one sandbox from a warm pool (usually made by agents at run time; as IaC it
// suits long-lived sandboxes such as a shared dev environment).

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { buildSandboxClaim, SandboxClaimProps as BuilderProps, sandboxClaimProblems } from '../builders/sandbox-resources';
import { addApiObjects, buildWhenValid } from './api-objects';
import { NamingProps, resolveNaming } from './naming';

export interface SandboxClaimProps extends Omit<BuilderProps, 'name' | 'namespace' | 'warmPoolName'>, NamingProps {
  /** The warm pool to claim from: the construct or the name of one in the same namespace. */
  readonly warmPool: { readonly name: string } | string;
}

export class SandboxClaim extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The SandboxClaim object (undefined when the props are invalid). */
  public readonly apiObject?: ApiObject;

  constructor(scope: Construct, id: string, props: SandboxClaimProps) {
    super(scope, id);
    const { warmPool, ...rest } = props;
    const resolved = { ...rest, ...resolveNaming(this, props), warmPoolName: typeof warmPool === 'string' ? warmPool : warmPool.name };
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    this.apiObject = buildWhenValid(this, sandboxClaimProblems(resolved), () => addApiObjects(this, [buildSandboxClaim(resolved)])[0]);
  }
}
