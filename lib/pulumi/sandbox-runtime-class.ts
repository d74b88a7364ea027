// SandboxRuntimeClass: one RuntimeClass (gVisor, Kata, ...) sandboxes select through runtimeClassName.

import * as pulumi from '@pulumi/pulumi';
import { buildRuntimeClass, type RuntimeClassProps } from '../builders';
import { ManifestComponent } from './manifest-component';

export type SandboxRuntimeClassArgs = RuntimeClassProps;

export class SandboxRuntimeClass extends ManifestComponent {
  /** RuntimeClass name, the value for `podTemplate.spec.runtimeClassName`. */
  public readonly runtimeClassName: pulumi.Output<string>;

  constructor(name: string, args: SandboxRuntimeClassArgs, opts?: pulumi.ComponentResourceOptions) {
    super('SandboxRuntimeClass', name, args, { build: (plain: RuntimeClassProps) => [buildRuntimeClass(plain)], guardrails: () => ({}) }, opts);
    this.runtimeClassName = pulumi.output(args.name);
    this.registerOutputs({ runtimeClassName: this.runtimeClassName });
  }
}
