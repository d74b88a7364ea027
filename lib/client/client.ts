// SandboxClient: "give me a sandbox from this warm pool" in one call — create (or re-attach to) a claim,
// wait for Ready, and hand back a SandboxHandle connected through the router or directly.
import type { SandboxClaim } from '../api';
import { isNotFound, KubeClient, Resources } from '../kube';
import { createClaim, deleteClaim, waitForClaimReady, type ClaimRequest } from './claims';
import { resolveEndpoint, type ConnectionConfig } from './connection';
import { SandboxError } from './errors';
import { SandboxHandle } from './sandbox';

export interface SandboxClientOptions {
  /** How to reach sandboxes. */
  readonly connection: ConnectionConfig;
  /** API client. @default KubeClient.create({ kubeconfig }) */
  readonly kube?: KubeClient;
  /** Kubeconfig path when `kube` is not given. @default $KUBECONFIG, ~/.kube/config or in-cluster */
  readonly kubeconfig?: string;
}

export interface CreateSandboxOptions extends Omit<ClaimRequest, 'namespace'> {
  /** @default "default" */
  readonly namespace?: string;
  /** How long to wait for the claim to become Ready. @default 180000 */
  readonly readyTimeoutMs?: number;
}

export class SandboxClient {
  private kube?: KubeClient;

  constructor(private readonly options: SandboxClientOptions) {
    this.kube = options.kube;
  }

  /**
   * Claims a sandbox from `warmPool` and waits until it is Ready. With a caller-chosen `name` this is
   * idempotent: calling it again re-attaches to the same claim. A claim this call created is deleted again
   * when waiting fails.
   */
  async createSandbox(options: CreateSandboxOptions): Promise<SandboxHandle> {
    const kube = await this.client();
    const namespace = options.namespace ?? 'default';
    const { claim, created } = await createClaim(kube, { ...options, namespace });
    const name = claim.metadata.name!;
    try {
      const sandbox = await waitForClaimReady(kube, namespace, name, options.readyTimeoutMs ?? 180_000);
      return await this.handle(namespace, sandbox, name);
    } catch (err) {
      if (created) await deleteClaim(kube, namespace, name).catch(() => undefined);
      throw err;
    }
  }

  /** Re-attaches to an existing Ready claim by name. */
  async getSandbox(claimName: string, namespace = 'default'): Promise<SandboxHandle> {
    const kube = await this.client();
    let claim: SandboxClaim;
    try {
      claim = await kube.get<SandboxClaim>(Resources.sandboxClaims, namespace, claimName);
    } catch (err) {
      if (isNotFound(err)) throw new SandboxError(`SandboxClaim ${namespace}/${claimName} not found`);
      throw err;
    }
    const sandbox = claim.status?.sandbox?.name;
    if (!sandbox) throw new SandboxError(`SandboxClaim ${namespace}/${claimName} has no sandbox yet`);
    return this.handle(namespace, sandbox, claimName);
  }

  /** Deletes a claim by name, whether or not it ever became Ready (idempotent). */
  async terminate(claimName: string, namespace = 'default'): Promise<void> {
    await deleteClaim(await this.client(), namespace, claimName);
  }

  /** Closes the API connections. */
  close(): void {
    this.kube?.close();
  }

  private async handle(namespace: string, sandbox: string, claimName: string): Promise<SandboxHandle> {
    const kube = await this.client();
    const address = { namespace, sandbox };
    const resolve = () => resolveEndpoint(this.options.connection, address, kube);
    return new SandboxHandle(kube, address, claimName, await resolve(), resolve);
  }

  private async client(): Promise<KubeClient> {
    this.kube ??= await KubeClient.create(this.options.kubeconfig ? { kubeconfig: this.options.kubeconfig } : {});
    return this.kube;
  }
}
