// How the SDK reaches a sandbox's runtime: through the router (routing headers + bearer token) or
// directly in-cluster (pod IP from the Sandbox status, else its Service DNS name; resolved again when
// the address refuses connections, and a suspended sandbox resumed first: direct-lifecycle.ts).
import { CONDITION, type Sandbox } from '../api';
import { Resources, type KubeClient } from '../kube';

export interface SandboxAddress {
  readonly namespace: string;
  /** The Sandbox name (for warm claims this differs from the claim name). */
  readonly sandbox: string;
}

export interface Endpoint {
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  /** Direct mode: the Sandbox as read when resolving (the router does this itself). */
  readonly sandbox?: {
    /** Ready, running, with a pod address: else a call resumes it (or waits for it) first. */
    readonly serving: boolean;
    /** Calls mark it active for idle suspend when set. */
    readonly idleTimeoutSeconds?: number;
  };
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
      /**
       * A call to a suspended sandbox sets it Running (the caller needs `patch` on it) and waits this long for it to
       * be Ready, then throws ResumeTimeoutError; 0: never resume, such calls throw. @default 30
       */
      readonly resumeHoldSeconds?: number;
    };

/** A Sandbox requests can go to: Ready, running, with a pod address. */
export const isServing = (sandbox: Sandbox): boolean => sandbox.spec.operatingMode !== 'Suspended' && Boolean(sandbox.status?.podIPs?.[0])
  && (sandbox.status?.conditions?.some((c) => c.type === CONDITION.ready && c.status === 'True') ?? false);

/** Resolves where requests for `address` go and which headers they carry (direct mode: from `known`, else a fresh read). */
export async function resolveEndpoint(config: ConnectionConfig, address: SandboxAddress, kube: KubeClient, signal?: AbortSignal, known?: Sandbox): Promise<Endpoint> {
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
  const sandbox = known ?? await kube.get<Sandbox>(Resources.sandboxes, address.namespace, address.sandbox, { signal });
  const ip = sandbox.status?.podIPs?.[0];
  const fqdn = sandbox.status?.serviceFQDN || `${sandbox.status?.service || address.sandbox}.${address.namespace}.svc.${config.clusterDomain ?? 'cluster.local'}`;
  const host = ip ? (ip.includes(':') ? `[${ip}]` : ip) : fqdn;
  return { baseUrl: `http://${host}:${port}`, headers: {}, sandbox: { serving: isServing(sandbox), idleTimeoutSeconds: sandbox.spec.idleTimeoutSeconds } };
}
