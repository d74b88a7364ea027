// SandboxRouter Pulumi component: one resource per router object (Deployment, Service, PDB,
// NetworkPolicy, RBAC), built by the same pure builder as the cdk8s construct.
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_SYSTEM_NAMESPACE } from '../api';
import { buildRouter, ROUTER_SERVICE_NAME, type SandboxRouterProps } from '../builders/router';
import { buildWithInputs, type Inputs } from './deferred-inputs';
import { kubernetesResources, type KubernetesObject } from './kubernetes-resource';

export type SandboxRouterArgs = Inputs<SandboxRouterProps>;

export class SandboxRouter extends pulumi.ComponentResource {
  /** Namespace the router runs in. */
  public readonly namespace: pulumi.Output<string>;
  /** In-cluster URL of the router Service. */
  public readonly url: pulumi.Output<string>;
  /** One resource per emitted object. */
  public readonly resources: pulumi.CustomResource[];

  constructor(name: string, args: SandboxRouterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super('agent-sandbox-kit:index:SandboxRouter', name, {}, opts);
    const objects = buildWithInputs(args, (plain: SandboxRouterProps) => buildRouter(plain)) as unknown as KubernetesObject[];
    this.resources = kubernetesResources(objects, { parent: this });
    this.namespace = pulumi.output(args.namespace ?? DEFAULT_SYSTEM_NAMESPACE);
    this.url = pulumi.interpolate`http://${ROUTER_SERVICE_NAME}.${this.namespace}.svc:8080`;
    this.registerOutputs({ namespace: this.namespace, url: this.url });
  }
}
