// loadCredentials: kubeconfig parsing via @kubernetes/client-node (ESM) into TLS options and auth headers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCredentials } from '../../../lib/kube';

function writeKubeconfig(user: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ask-kc-'));
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
