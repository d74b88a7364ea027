// AgentSandboxSystem: CRDs, namespace, controller (Deployment, RBAC, metrics Service, PDB) as Pulumi resources.

import * as pulumi from '@pulumi/pulumi';
import { buildSystem, CONTROLLER_NAME, crdNames, resolveSystemProps, type AgentSandboxSystemProps } from '../builders';
import { DEFAULT_SYSTEM_NAMESPACE } from '../api';
import { ManifestComponent } from './manifest-component';

export interface AgentSandboxSystemArgs extends Omit<AgentSandboxSystemProps, 'namespace' | 'image' | 'replicas'> {
  /** Namespace of the controller; may be an Output (e.g. of a Namespace created elsewhere). @default "agent-sandbox-system" */
  readonly namespace?: pulumi.Input<string>;
  /**
   * Controller image; may be an Output (e.g. a tag from an image build in the same stack).
   * @default "ghcr.io/agent-sandbox-kit/controller:<package version>"
   */
  readonly image?: pulumi.Input<string>;
  /**
   * Controller replicas; more than one switches leader election on. May be an Output: the count is then
   * unknown when the Deployment is built, so leader election and topology spreading are on as for two.
   * @default 1
   */
  readonly replicas?: pulumi.Input<number>;
}

export class AgentSandboxSystem extends ManifestComponent {
  /** Namespace the controller runs in. */
  public readonly namespace: pulumi.Output<string>;
  /** Name of the controller's metrics Service (in `namespace`). */
  public readonly controllerServiceName: pulumi.Output<string>;
  /** Names of the CustomResourceDefinitions this installation manages (empty when installCrds is false). */
  public readonly crdNames: pulumi.Output<string[]>;

  constructor(name: string, args: AgentSandboxSystemArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    // The controller Deployment carries its own recorded exemptions (e.g. runtime class), like every object.
    super('AgentSandboxSystem', name, args, {
      build: buildSystem,
      guardrails: () => ({}),
      numbers: [{ arg: ['replicas'], standIn: 2, target: { kind: 'Deployment', name: CONTROLLER_NAME, field: ['spec', 'replicas'] } }],
    }, opts);
    const { installCrds } = resolveSystemProps({ ...args, namespace: undefined, image: undefined, replicas: undefined });
    this.namespace = pulumi.output(args.namespace ?? DEFAULT_SYSTEM_NAMESPACE);
    this.controllerServiceName = pulumi.output(CONTROLLER_NAME);
    this.crdNames = pulumi.output(installCrds ? crdNames() : []);
    this.registerOutputs({ namespace: this.namespace, controllerServiceName: this.controllerServiceName, crdNames: this.crdNames });
  }
}
