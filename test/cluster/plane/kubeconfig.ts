// Writes self-contained kubeconfig files (credentials embedded) for the local plane.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

export interface ClusterEndpoint {
  server: string;
  /** Base64 PEM of the CA that signed the API server's certificate. */
  caData: string;
}

export type KubeconfigUser = { clientCertFile: string; clientKeyFile: string } | { token: string };

const b64 = (file: string) => readFileSync(file).toString('base64');

export function writeKubeconfig(path: string, endpoint: ClusterEndpoint, userName: string, user: KubeconfigUser, namespace?: string): void {
  const credentials = 'token' in user
    ? { token: user.token }
    : { 'client-certificate-data': b64(user.clientCertFile), 'client-key-data': b64(user.clientKeyFile) };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server: endpoint.server, 'certificate-authority-data': endpoint.caData } }],
    users: [{ name: userName, user: credentials }],
    contexts: [{ name: userName, context: { cluster: 'local', user: userName, ...(namespace ? { namespace } : {}) } }],
    'current-context': userName,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}

/** The cluster endpoint of a kubeconfig written by `writeKubeconfig`. */
export function readEndpoint(path: string): ClusterEndpoint {
  const { cluster } = parse(readFileSync(path, 'utf8')).clusters[0];
  return { server: cluster.server, caData: cluster['certificate-authority-data'] };
}
