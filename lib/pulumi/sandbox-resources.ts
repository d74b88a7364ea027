// Single-object components for our own kinds: SandboxTemplate, SandboxWarmPool, SandboxClaim and Sandbox,
// each one custom resource built by lib/builders and checked by the guardrails.

import * as pulumi from '@pulumi/pulumi';
import {
  buildSandbox, buildSandboxClaim, buildSandboxTemplate, buildSandboxWarmPool,
  type SandboxClaimProps, type SandboxProps, type SandboxTemplateProps, type SandboxWarmPoolProps,
} from '../builders';
import type { GuardrailPolicy } from '../policy';
import type { KubernetesObject } from './kubernetes-resource';
import { ManifestComponent } from './manifest-component';

/** Guardrails applied to a standalone object. @default - profile restricted */
export interface GuardedArgs {
  readonly guardrails?: GuardrailPolicy;
}

/** A component holding one custom resource; outputs its name and namespace. */
abstract class SingleObjectComponent extends ManifestComponent {
  /** Object name. */
  public readonly objectName: pulumi.Output<string>;
  /** Object namespace. */
  public readonly namespace: pulumi.Output<string>;

  protected constructor(component: string, name: string, object: KubernetesObject, guardrails: GuardrailPolicy | undefined, opts?: pulumi.ComponentResourceOptions) {
    super(component, name, [object], guardrails ?? {}, opts);
    this.objectName = pulumi.output(object.metadata.name!);
    this.namespace = pulumi.output(object.metadata.namespace!);
    this.registerOutputs({ objectName: this.objectName, namespace: this.namespace });
  }
}

export type SandboxTemplateArgs = SandboxTemplateProps & GuardedArgs;
export class SandboxTemplate extends SingleObjectComponent {
  constructor(name: string, args: SandboxTemplateArgs, opts?: pulumi.ComponentResourceOptions) {
    super('SandboxTemplate', name, buildSandboxTemplate(args), args.guardrails, opts);
  }
}

export type SandboxWarmPoolArgs = SandboxWarmPoolProps & GuardedArgs;
export class SandboxWarmPool extends SingleObjectComponent {
  constructor(name: string, args: SandboxWarmPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super('SandboxWarmPool', name, buildSandboxWarmPool(args), args.guardrails, opts);
  }
}

export type SandboxClaimArgs = SandboxClaimProps;
export class SandboxClaim extends SingleObjectComponent {
  constructor(name: string, args: SandboxClaimArgs, opts?: pulumi.ComponentResourceOptions) {
    super('SandboxClaim', name, buildSandboxClaim(args), undefined, opts);
  }
}

export type SandboxArgs = SandboxProps & GuardedArgs;
export class Sandbox extends SingleObjectComponent {
  constructor(name: string, args: SandboxArgs, opts?: pulumi.ComponentResourceOptions) {
    super('Sandbox', name, buildSandbox(args), args.guardrails, opts);
  }
}
