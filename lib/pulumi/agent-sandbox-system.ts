// AgentSandboxSystem: CRDs, namespace, controller (Deployment, RBAC, metrics Service, PDB) as Pulumi resources.

import * as pulumi from '@pulumi/pulumi';
import { buildSystem, CONTROLLER_NAME, resolveSystemProps, type AgentSandboxSystemProps } from '../builders';
import { allCrds } from '../api';
import { buildWithInputs } from './deferred-inputs';
import { ManifestComponent } from './manifest-component';

export interface AgentSandboxSystemArgs extends Omit<AgentSandboxSystemProps, 'image'> {
  /**
   * Controller image; may be an Output (e.g. a tag from an image build in the same stack).
   * @default "ghcr.io/agent-sandbox-kit/controller:<package version>"
   */
  readonly image?: pulumi.Input<string>;
}

export class AgentSandboxSystem extends ManifestComponent {
  /** Namespace the controller runs in. */
  public readonly namespace: pulumi.Output<string>;
  /** Name of the controller's metrics Service (in `namespace`). */
  public readonly controllerServiceName: pulumi.Output<string>;
  /** Names of the CustomResourceDefinitions this installation manages (empty when installCrds is false). */
  public readonly crdNames: pulumi.Output<string[]>;

  constructor(name: string, args: AgentSandboxSystemArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const objects = buildWithInputs(args, buildSystem);
    // The controller Deployment carries its own recorded exemptions (e.g. runtime class), like every object.
    super('AgentSandboxSystem', name, objects, {}, opts);
    const resolved = resolveSystemProps({ ...args, image: undefined });
    this.namespace = pulumi.output(resolved.namespace);
    this.controllerServiceName = pulumi.output(CONTROLLER_NAME);
    this.crdNames = pulumi.output(resolved.installCrds ? allCrds().map((crd) => crd.metadata!.name!) : []);
    this.registerOutputs({ namespace: this.namespace, controllerServiceName: this.controllerServiceName, crdNames: this.crdNames });
  }
}
