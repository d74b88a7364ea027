// The one shape every component here shares: objects from a pure builder in lib/builders, checked by the
// guardrail engine, registered as one child resource per Kubernetes object under the component.

import * as pulumi from '@pulumi/pulumi';
import { buildWithInputs, type ComponentBuild } from './deferred-inputs';
import { kubernetesResources } from './kubernetes-resource';

/** Type tokens follow pulumi-eks: `<package>:index:<Component>`; never change one without an alias. */
export const typeToken = (component: string): string => `agent-sandbox-kit:index:${component}`;

export abstract class ManifestComponent extends pulumi.ComponentResource {
  /** One Pulumi resource per Kubernetes object this component manages, in apply order. */
  public readonly resources: pulumi.CustomResource[];

  /**
   * @param args the component's arguments, Inputs included; `spec.build` turns them into objects, and plain
   *   values breaking `spec.guardrails` are rejected before anything is registered.
   */
  protected constructor(
    component: string,
    name: string,
    args: object,
    spec: Omit<ComponentBuild<any>, 'component'>,
    opts: pulumi.ComponentResourceOptions | undefined,
  ) {
    // Before super(): a stack that breaks the guardrails registers nothing at all.
    const objects = buildWithInputs(args, { ...spec, component: `${component} ${name}` });
    super(typeToken(component), name, {}, opts);
    this.resources = kubernetesResources(objects, name, {
      parent: this,
      ...(opts?.provider ? { provider: opts.provider } : {}),
      // Children of a component do not inherit its dependsOn; CRs must still wait for their CRDs.
      ...(opts?.dependsOn ? { dependsOn: opts.dependsOn } : {}),
    });
  }
}
