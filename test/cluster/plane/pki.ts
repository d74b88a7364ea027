// Certificates and keys for the local control plane, made once per checkout with the openssl CLI:
// a CA, the API server's serving cert (127.0.0.1), the admin client cert (system:masters) and the
// service-account token signing key pair.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

const days = '3650';

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function newEcKey(path: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);
}

/** Issues a leaf certificate signed by the CA; `extensions` is an openssl extension-file body. */
function issue(dir: string, name: string, subject: string, extensions: string): void {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  newEcKey(key);
  openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr]);
  writeFileSync(ext, extensions);
  openssl(['x509', '-req', '-in', csr, '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial',
    '-days', days, '-extfile', ext, '-out', join(dir, `${name}.crt`)]);
}

/** Returns the PKI in `dir`, creating whatever is missing. */
export function ensurePki(dir: string): Pki {
  const pki: Pki = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
  };
  if (Object.values(pki).every((path) => existsSync(path))) return pki;
  mkdirSync(dir, { recursive: true });
  newEcKey(pki.caKey);
  openssl(['req', '-x509', '-new', '-key', pki.caKey, '-subj', '/CN=agent-sandbox-kit-local-ca', '-days', days,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', pki.caCert]);
  const leaf = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n';
  issue(dir, 'apiserver', '/CN=kube-apiserver', `${leaf}extendedKeyUsage=serverAuth\n` +
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n');
  issue(dir, 'admin', '/O=system:masters/CN=admin', `${leaf}extendedKeyUsage=clientAuth\n`);
  newEcKey(pki.serviceAccountKey);
  openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPublicKey]);
  return pki;
}
