// Single-object components for our own kinds: SandboxTemplate, SandboxWarmPool, SandboxClaim and Sandbox,
// each one custom resource built by lib/builders and checked by the guardrails.

import * as pulumi from '@pulumi/pulumi';
import type { PodTemplate } from '../api';
import {
  buildSandbox, buildSandboxClaim, buildSandboxTemplate, buildSandboxWarmPool,
  type SandboxClaimProps, type SandboxProps, type SandboxTemplateProps, type SandboxWarmPoolProps,
} from '../builders';
import type { GuardrailPolicy, PlainObject } from '../policy';
import type { DeepInput, DeferredNumber } from './deferred-inputs';
import { ManifestComponent } from './manifest-component';

/** Guardrails applied to a standalone object. @default - profile restricted */
export interface GuardedArgs {
  readonly guardrails?: GuardrailPolicy;
}

/** Where an object lives; may be an Output (e.g. a team's namespace). @default "default" */
interface NamespaceArg {
  readonly namespace?: pulumi.Input<string>;
}

/** A pod template whose free-form strings (images above all) may be Outputs. */
interface PodTemplateArg {
  readonly podTemplate: DeepInput<PodTemplate>;
}

/** A component holding one custom resource; outputs its name and namespace. */
abstract class SingleObjectComponent extends ManifestComponent {
  /** Object name. */
  public readonly objectName: pulumi.Output<string>;
  /** Object namespace. */
  public readonly namespace: pulumi.Output<string>;

  protected constructor(
    component: string, name: string, args: { readonly name: string } & NamespaceArg & GuardedArgs,
    build: (plain: any) => PlainObject, opts?: pulumi.ComponentResourceOptions, numbers?: DeferredNumber[],
  ) {
    super(component, name, args, { build: (plain) => [build(plain)], guardrails: () => args.guardrails ?? {}, numbers }, opts);
    this.objectName = pulumi.output(args.name);
    this.namespace = pulumi.output(args.namespace ?? 'default');
    this.registerOutputs({ objectName: this.objectName, namespace: this.namespace });
  }
}

export interface SandboxTemplateArgs extends Omit<SandboxTemplateProps, 'namespace' | 'podTemplate'>, NamespaceArg, PodTemplateArg, GuardedArgs {}
export class SandboxTemplate extends SingleObjectComponent {
  constructor(name: string, args: SandboxTemplateArgs, opts?: pulumi.ComponentResourceOptions) {
    super('SandboxTemplate', name, args, buildSandboxTemplate, opts);
  }
}

export interface SandboxWarmPoolArgs extends Omit<SandboxWarmPoolProps, 'namespace' | 'templateName' | 'replicas'>, NamespaceArg, GuardedArgs {
  /** Name of the SandboxTemplate (e.g. a SandboxTemplate component's `objectName`). */
  readonly templateName: pulumi.Input<string>;
  /** Sandboxes kept ready; may be an Output. @default 1 */
  readonly replicas?: pulumi.Input<number>;
}
export class SandboxWarmPool extends SingleObjectComponent {
  constructor(name: string, args: SandboxWarmPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super('SandboxWarmPool', name, args, buildSandboxWarmPool, opts, [
      { arg: ['replicas'], standIn: 0, target: { kind: 'SandboxWarmPool', name: args.name, field: ['spec', 'replicas'] } },
    ]);
  }
}

export interface SandboxClaimArgs extends Omit<SandboxClaimProps, 'namespace' | 'warmPoolName'>, NamespaceArg {
  /** Name of the SandboxWarmPool to claim from (e.g. a SandboxWarmPool component's `objectName`). */
  readonly warmPoolName: pulumi.Input<string>;
}
export class SandboxClaim extends SingleObjectComponent {
  constructor(name: string, args: SandboxClaimArgs, opts?: pulumi.ComponentResourceOptions) {
    super('SandboxClaim', name, args, buildSandboxClaim, opts);
  }
}

export interface SandboxArgs extends Omit<SandboxProps, 'namespace' | 'podTemplate'>, NamespaceArg, PodTemplateArg, GuardedArgs {}
export class Sandbox extends SingleObjectComponent {
  constructor(name: string, args: SandboxArgs, opts?: pulumi.ComponentResourceOptions) {
    super('Sandbox', name, args, buildSandbox, opts);
  }
}
