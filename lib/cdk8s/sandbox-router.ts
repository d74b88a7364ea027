// SandboxRouter construct: the sandbox router (Deployment, Service, PDB, NetworkPolicy, RBAC) as one
// cdk8s construct over the pure builder in lib/builders/router.ts.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { buildRouter, ROUTER_SERVICE_NAME, routerProblems, type SandboxRouterProps } from '../builders/router';
import { DEFAULT_SYSTEM_NAMESPACE } from '../api';

export type { SandboxRouterProps } from '../builders/router';

/** The sandbox router, deployed where template NetworkPolicies expect it (`app: sandbox-router`). */
export class SandboxRouter extends Construct {
  /** Namespace the router runs in. */
  public readonly namespace: string;
  /** In-cluster URL of the router Service (`http://sandbox-router-svc.<ns>.svc:8080`). */
  public readonly url: string;
  /** Every object this construct emits, in apply order. */
  public readonly apiObjects: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: SandboxRouterProps = {}) {
    super(scope, id);
    this.node.addValidation({ validate: () => routerProblems(props).map((p) => `SandboxRouter ${this.node.path}: ${p}`) });
    this.namespace = props.namespace ?? DEFAULT_SYSTEM_NAMESPACE;
    this.url = `http://${ROUTER_SERVICE_NAME}.${this.namespace}.svc:8080`;
    this.apiObjects = buildRouter(props).map((obj) => new ApiObject(this, `${obj.kind}-${obj.metadata.name}`, obj));
  }
}
