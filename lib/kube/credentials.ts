// What a request needs to reach and authenticate to the API server, and where to load it from (load-credentials.ts
// and in-cluster.ts fill it in; the transport reads it).


/**
 * No usable kubeconfig: the message says what was checked ($KUBECONFIG, ~/.kube/config, in-cluster) or which
 * named file or context is missing, and what to do, so tools can print it as one line.
 */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

export interface CredentialSource {
  /** Path to a kubeconfig file. */
  kubeconfig?: string;
  /** Use the in-cluster ServiceAccount (token file, CA, KUBERNETES_SERVICE_HOST). */
  inCluster?: boolean;
  /** Context name inside the kubeconfig. @default the kubeconfig's current context */
  context?: string;
}

/** What a request needs to reach and authenticate to the API server. */
export interface Credentials {
  server: URL;
  tls: { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string; rejectUnauthorized?: boolean; servername?: string };
  /** Authorization / impersonation headers; refreshed over time for rotating tokens. */
  headers: Record<string, string>;
  /** Re-reads token-based auth (projected ServiceAccount tokens rotate; exec plugins expire). */
  refreshHeaders(): Promise<Record<string, string>>;
  /** The context's namespace (in-cluster: the pod's), if it names one. */
  namespace?: string;
  /** The kubeconfig context in use; undefined in-cluster. */
  context?: string;
}
