// loadCredentials: kubeconfig parsing via @kubernetes/client-node (ESM) into TLS options and auth headers.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inClusterAvailable, inClusterCredentials, loadCredentials } from '../../../lib/kube';
import { tempDir } from '../../support/temp-dir';

function writeKubeconfig(user: string): string {
  const dir = tempDir('ask-kc-');
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true }
users:
- name: u
  user: ${user}
contexts:
- name: ctx
  context: { cluster: c, user: u }
current-context: ctx
`);
  return file;
}

describe('loadCredentials', () => {
  it('reads server, TLS settings and a bearer token from a kubeconfig', async () => {
    const creds = await loadCredentials({ kubeconfig: writeKubeconfig('{ token: abc123 }') });
    expect(creds.server.href).toBe('https://127.0.0.1:6443/');
    expect(creds.tls.rejectUnauthorized).toBe(false);
    expect(creds.headers.Authorization).toBe('Bearer abc123');
    expect((await creds.refreshHeaders()).Authorization).toBe('Bearer abc123');
  });
  it('turns basic auth into an Authorization header', async () => {
    const creds = await loadCredentials({ kubeconfig: writeKubeconfig('{ username: admin, password: pw }') });
    expect(creds.headers.Authorization).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
  });
});

describe('inClusterCredentials', () => {
  it('uses the ServiceAccount token, CA and service env, and re-reads a rotated token', async () => {
    const dir = tempDir('ask-sa-');
    writeFileSync(join(dir, 'token'), 'tok-1\n');
    writeFileSync(join(dir, 'ca.crt'), 'CA PEM');
    const env = { KUBERNETES_SERVICE_HOST: '198.18.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(inClusterAvailable(env, dir)).toBe(true);
    expect(inClusterAvailable({}, dir)).toBe(false);
    const creds = inClusterCredentials(env, dir);
    expect(creds.server.href).toBe('https://198.18.0.1/');
    expect(String(creds.tls.ca)).toBe('CA PEM');
    expect(creds.headers.Authorization).toBe('Bearer tok-1');
    writeFileSync(join(dir, 'token'), 'tok-2');
    expect((await creds.refreshHeaders()).Authorization).toBe('Bearer tok-2');
    expect(inClusterCredentials({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, dir).server.host).toBe('[fd00::1]:6443');
    expect(() => inClusterCredentials({}, dir)).toThrow(/not running in-cluster/);
  });
});
