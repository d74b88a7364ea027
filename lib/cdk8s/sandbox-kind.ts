// The one shape of the four sandbox-kind constructs (Sandbox, SandboxTemplate, SandboxWarmPool, SandboxClaim): name
// and namespace resolved cdk8s-style, one ApiObject that always exists (as in cdk8s-plus), and the builder's problems
// registered as validation, so invalid props fail synth naming the construct path.

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { KindInfo } from '../api/groups';
import type { Manifest } from '../builders/manifest';
import { NamingProps, resolveNaming } from './naming';

/** What a kind's construct supplies once its name and namespace are resolved. */
export interface KindObject {
  /** Problems with the props; any of them fails synth. */
  readonly problems: readonly string[];
  /** The object; called only when there are no problems. */
  build(): Manifest;
}

export abstract class SandboxKindConstruct extends Construct {
  /** Object name. */
  public readonly name: string;
  /** Object namespace. */
  public readonly namespace: string;
  /** The object. With invalid props it only carries its identity, and synth fails on the problems. */
  public readonly apiObject: ApiObject;

  protected constructor(scope: Construct, id: string, kind: KindInfo, naming: NamingProps, object: (resolved: { name: string; namespace: string }) => KindObject) {
    super(scope, id);
    const resolved = resolveNaming(this, naming);
    this.name = resolved.name;
    this.namespace = resolved.namespace;
    const { problems, build } = object(resolved);
    this.node.addValidation({ validate: () => [...problems] });
    const manifest = problems.length === 0 ? build() : { apiVersion: kind.apiVersion, kind: kind.kind, metadata: resolved };
    this.apiObject = new ApiObject(this, 'Resource', manifest);
  }
}
