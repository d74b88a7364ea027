// SandboxRouter Pulumi component: one resource per router object (Deployment, Service, PDB,
// NetworkPolicy, RBAC), built by the same pure builder as the cdk8s construct.
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_SYSTEM_NAMESPACE } from '../api';
import { buildRouter, ROUTER_SERVICE_NAME, type SandboxRouterProps } from '../builders/router';
import { ManifestComponent } from './manifest-component';
import type { GuardedArgs } from './sandbox-resources';

export type SandboxRouterArgs = SandboxRouterProps & GuardedArgs;

export class SandboxRouter extends ManifestComponent {
  /** Namespace the router runs in. */
  public readonly namespace: pulumi.Output<string>;
  /** In-cluster URL of the router Service. */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: SandboxRouterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super('SandboxRouter', name, buildRouter(args), args.guardrails ?? {}, opts);
    const namespace = args.namespace ?? DEFAULT_SYSTEM_NAMESPACE;
    this.namespace = pulumi.output(namespace);
    this.url = pulumi.output(`http://${ROUTER_SERVICE_NAME}.${namespace}.svc:8080`);
    this.registerOutputs({ namespace: this.namespace, url: this.url });
  }
}
