// How the SDK reaches a sandbox's runtime: through the router (routing headers + bearer token) or
// directly in-cluster (pod IP from the Sandbox status, else its Service DNS name; resolved again when
// the address refuses connections).
import type { Sandbox } from '../api';
import { Resources, type KubeClient } from '../kube';

export interface SandboxAddress {
  readonly namespace: string;
  /** The Sandbox name (for warm claims this differs from the claim name). */
  readonly sandbox: string;
}

export interface Endpoint {
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
}

export type ConnectionConfig =
  | {
      readonly mode: 'router';
      /** e.g. `http://sandbox-router-svc.agent-sandbox-system.svc:8080` or a port-forward. */
      readonly url: string;
      /** Bearer token, or a function minting one per sandbox (scoped tokens). @default - none */
      readonly token?: string | ((address: SandboxAddress) => string | Promise<string>);
      /** Runtime port inside the sandbox. @default 8888 */
      readonly port?: number;
    }
  | {
      readonly mode: 'direct';
      /** @default 8888 */
      readonly port?: number;
      /** @default "cluster.local" */
      readonly clusterDomain?: string;
    };

/** Resolves where requests for `address` go and which headers they carry. */
export async function resolveEndpoint(config: ConnectionConfig, address: SandboxAddress, kube: KubeClient, signal?: AbortSignal): Promise<Endpoint> {
  const port = config.port ?? 8888;
  if (config.mode === 'router') {
    const token = typeof config.token === 'function' ? await config.token(address) : config.token;
    return {
      baseUrl: config.url.replace(/\/+$/, ''),
      headers: {
        'X-Sandbox-ID': address.sandbox, 'X-Sandbox-Namespace': address.namespace, 'X-Sandbox-Port': String(port),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
    };
  }
  const sandbox = await kube.get<Sandbox>(Resources.sandboxes, address.namespace, address.sandbox, { signal });
  const ip = sandbox.status?.podIPs?.[0];
  const fqdn = sandbox.status?.serviceFQDN || `${sandbox.status?.service || address.sandbox}.${address.namespace}.svc.${config.clusterDomain ?? 'cluster.local'}`;
  const host = ip ? (ip.includes(':') ? `[${ip}]` : ip) : fqdn;
  return { baseUrl: `http://${host}:${port}`, headers: {} };
}
