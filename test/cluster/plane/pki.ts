// Certificates and keys for the local control plane, made once per checkout with the openssl CLI:
// a CA, the API server's serving cert (127.0.0.1), the admin client cert (system:masters) and the
// service-account token signing key pair.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
function issue(dir: string, name: string, subject: string, extensions: string): CertPair {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  newEcKey(key);
  openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr]);
  writeFileSync(ext, extensions);
  openssl(['x509', '-req', '-in', csr, '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial',
    '-days', days, '-extfile', ext, '-out', join(dir, `${name}.crt`)]);
  return { cert: join(dir, `${name}.crt`), key };
}

export interface CertPair {
  cert: string;
  key: string;
}

const leafUsage = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n';

/** A certificate signed by the CA in `pki`'s directory, issued once as `<name>.crt`/`<name>.key`. */
function ensureLeaf(pki: Pki, name: string, subject: string, extensions: string): CertPair {
  const dir = dirname(pki.caCert);
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  return existsSync(pair.cert) && existsSync(pair.key) ? pair : issue(dir, name, subject, `${leafUsage}${extensions}`);
}

/** A client certificate, e.g. subject `/O=system:nodes/CN=system:node:x` for a kubelet. */
export function ensureClientCert(pki: Pki, name: string, subject: string): CertPair {
  return ensureLeaf(pki, name, subject, 'extendedKeyUsage=clientAuth\n');
}

/** A serving certificate for the given IP addresses and DNS names. */
export function ensureServingCert(pki: Pki, name: string, subject: string, ips: string[], dnsNames: string[]): CertPair {
  const sans = [...ips.map((ip) => `IP:${ip}`), ...dnsNames.map((dns) => `DNS:${dns}`)].join(',');
  return ensureLeaf(pki, name, subject, `extendedKeyUsage=serverAuth\nsubjectAltName=${sans}\n`);
}

export interface PkiOptions {
  /** Extra IP SANs of the API server's serving cert (the real node's bridge address and `kubernetes` ClusterIP). */
  servingIps?: string[];
}

/** Returns the PKI in `dir`, creating whatever is missing. */
export function ensurePki(dir: string, options: PkiOptions = {}): Pki {
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
  const ips = ['127.0.0.1', ...(options.servingIps ?? [])].map((ip) => `IP:${ip}`).join(',');
  issue(dir, 'apiserver', '/CN=kube-apiserver', `${leafUsage}extendedKeyUsage=serverAuth\n` +
    `subjectAltName=${ips},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n`);
  issue(dir, 'admin', '/O=system:masters/CN=admin', `${leafUsage}extendedKeyUsage=clientAuth\n`);
  newEcKey(pki.serviceAccountKey);
  openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPublicKey]);
  return pki;
}
