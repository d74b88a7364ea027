// SandboxRouter Pulumi component: one resource per router object (Deployment, Service, PDB,
// NetworkPolicy, RBAC), built by the same pure builder as the cdk8s construct.
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_SYSTEM_NAMESPACE } from '../api';
import { buildRouter, ROUTER_NAME, ROUTER_SERVICE_NAME, type SandboxRouterProps } from '../builders/router';
import { ManifestComponent } from './manifest-component';
import type { GuardedArgs } from './sandbox-resources';

export interface SandboxRouterArgs extends Omit<SandboxRouterProps, 'namespace' | 'image' | 'replicas'>, GuardedArgs {
  /** Namespace of the router; may be an Output. @default "agent-sandbox-system" */
  readonly namespace?: pulumi.Input<string>;
  /** Router image; may be an Output. @default "ghcr.io/agent-sandbox-kit/controller:<package version>" (it carries the router) */
  readonly image?: pulumi.Input<string>;
  /** Router replicas; may be an Output. @default 2 */
  readonly replicas?: pulumi.Input<number>;
}

export class SandboxRouter extends ManifestComponent {
  /** Namespace the router runs in. */
  public readonly namespace: pulumi.Output<string>;
  /** In-cluster URL of the router Service. */
  public readonly url: pulumi.Output<string>;

  constructor(name: string, args: SandboxRouterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super('SandboxRouter', name, args, {
      build: buildRouter,
      guardrails: () => args.guardrails ?? {},
      numbers: [{ arg: ['replicas'], standIn: 2, target: { kind: 'Deployment', name: ROUTER_NAME, field: ['spec', 'replicas'] } }],
    }, opts);
    this.namespace = pulumi.output(args.namespace ?? DEFAULT_SYSTEM_NAMESPACE);
    this.url = pulumi.interpolate`http://${ROUTER_SERVICE_NAME}.${this.namespace}.svc:8080`;
    this.registerOutputs({ namespace: this.namespace, url: this.url });
  }
}
