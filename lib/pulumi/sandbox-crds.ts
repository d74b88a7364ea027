// SandboxCrds: the CustomResourceDefinitions as their own component, so a CRDs stack (or a component other
// resources depend on) can own them. Pair with `AgentSandboxSystem({ installCrds: false })`.

import * as pulumi from '@pulumi/pulumi';
import { buildCrds, crdNames, type SandboxCrdsProps } from '../builders/crds';
import { ManifestComponent } from './manifest-component';

export type SandboxCrdsArgs = SandboxCrdsProps;

export class SandboxCrds extends ManifestComponent {
  /** Names of the CustomResourceDefinitions, e.g. `sandboxes.agents.x-k8s.io`. */
  public readonly crdNames: pulumi.Output<string[]>;

  constructor(name: string, args: SandboxCrdsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super('SandboxCrds', name, args, { build: (plain: SandboxCrdsProps) => buildCrds(plain), guardrails: () => ({}) }, opts);
    this.crdNames = pulumi.output(crdNames(args));
    this.registerOutputs({ crdNames: this.crdNames });
  }
}
