// The CRD conversion webhook: HTTPS on its own port, POST /convert answering ConversionReviews. Its certificate
// is either self-managed (issued here, rotated at two thirds of its life, CA kept in the four CRDs' caBundle) or
// read from a directory another issuer keeps current (cert-manager; its CA injector maintains caBundle).

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { reviewConversion, type ConversionReview } from '../../api/conversion';
import { CONVERSION_WEBHOOK_PATH } from '../../api/crds';
import { ALL_KINDS } from '../../api/groups';
import { boundPort, closeServer, parseBindAddress } from '../../controller-runtime/http-server';
import type { Logger } from '../../controller-runtime/logger';
import type { KubeClient } from '../../kube/client';
import { ApiError } from '../../kube/errors';
import { Resources } from '../../kube/resources';
import { issueServingCertificate, type ServingCertificate } from './certificates';

/** The API server sends at most a list page of objects; this bounds a hostile or broken caller. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** How often a mounted certificate is re-read, and the longest a rotation check waits. */
const RECHECK_MS = 60_000;
const DAY_MS = 24 * 3600_000;

export interface ConversionWebhookOptions {
  /** Go-style bind address (`:9443`, `127.0.0.1:0`); `0` disables the webhook. */
  bindAddress: string;
  /** DNS names and IPs the self-managed certificate is issued for. */
  hosts: readonly string[];
  /** Directory holding tls.crt and tls.key (cert-manager); empty: self-managed certificate. */
  certDir: string;
  /** Keep the CRDs' caBundle at the self-managed CA. */
  manageCaBundle: boolean;
  /** Lifetime of a self-managed certificate. */
  validityMs: number;
  client: KubeClient;
  logger: Logger;
}

/** The names of our four CRDs: the only ones whose caBundle this webhook may patch. */
export const CONVERSION_CRD_NAMES: readonly string[] = ALL_KINDS.map((k) => `${k.plural}.${k.group}`);

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Between trusting a new CA and serving the certificate it signed. */
const ROTATION_GRACE_MS = 10_000;
/** Most CAs kept in a caBundle: replicas and their recent rotations. */
const MAX_TRUSTED_CAS = 8;

/** `bundlePem` without expired certificates, plus `caPem`, newest last, at most MAX_TRUSTED_CAS. */
export function mergedBundle(bundlePem: string, caPem: string, now = Date.now()): string {
  const certs = bundlePem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const valid = certs.filter((pem) => {
    try {
      return new Date(new X509Certificate(pem).validTo).getTime() > now;
    } catch {
      return false;
    }
  });
  const kept = [...valid.filter((pem) => pem.trim() !== caPem.trim()), caPem.trim()].slice(-MAX_TRUSTED_CAS);
  return `${kept.join('\n')}\n`;
}

/** When a self-managed certificate is replaced: at two thirds of its life. */
function rotationTime({ notBefore, notAfter }: ServingCertificate): number {
  return notBefore.getTime() + ((notAfter.getTime() - notBefore.getTime()) * 2) / 3;
}

type KeyPair = { cert: string; key: string };

export class ConversionWebhook {
  private server?: https.Server;
  private timer?: NodeJS.Timeout;
  private current?: ServingCertificate;
  private mountedPem = '';

  constructor(private readonly options: ConversionWebhookOptions) {}

  /** Starts serving; resolves with the bound port, or undefined when disabled. */
  async start(): Promise<number | undefined> {
    const bind = parseBindAddress(this.options.bindAddress);
    if (!bind) return undefined;
    const pair = this.options.certDir ? await this.loadMounted(true) : await this.rotate();
    this.server = https.createServer({ minVersion: 'TLSv1.2', ...pair }, (req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(bind.port, bind.host, () => resolve());
    });
    const port = boundPort(this.server);
    this.options.logger.info('serving conversion webhook', { port, certificate: this.options.certDir ? 'mounted' : 'self-managed' });
    this.schedule();
    return port;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    await closeServer(this.server);
  }

  /** Reads tls.crt/tls.key; returns them when they changed (always on first load). */
  private async loadMounted(first = false): Promise<KeyPair | undefined> {
    const [cert, key] = await Promise.all(['tls.crt', 'tls.key'].map((f) => readFile(join(this.options.certDir, f), 'utf8')));
    if (!first && cert + key === this.mountedPem) return undefined;
    this.mountedPem = cert + key;
    return { cert, key };
  }

  /** Issues a new certificate, trusts its CA in the CRDs, then serves it. */
  private async rotate(): Promise<KeyPair> {
    const next = issueServingCertificate(this.options.hosts, this.options.validityMs);
    // The previous CA stays trusted until it expires, so connections the API server set up before keep working.
    if (this.options.manageCaBundle) {
      await this.trustCa(next.caPem);
      // Serve the new certificate only once the API server has had time to see the new caBundle.
      if (this.current) await new Promise((resolve) => setTimeout(resolve, ROTATION_GRACE_MS).unref());
    }
    this.current = next;
    return { cert: next.certPem, key: next.keyPem };
  }

  /**
   * Adds `caPem` to every CRD's caBundle. Other replicas' CAs stay (each replica serves its own certificate and the
   * Service may send the API server to any of them); expired ones and the oldest beyond MAX_TRUSTED_CAS are dropped.
   */
  private async trustCa(caPem: string): Promise<void> {
    await Promise.all(CONVERSION_CRD_NAMES.map((name) => this.trustCaIn(name, caPem)));
    this.options.logger.info('conversion webhook CA trusted by the CRDs', { crds: CONVERSION_CRD_NAMES.length });
  }

  private async trustCaIn(name: string, caPem: string, attempt = 1): Promise<void> {
    const { client } = this.options;
    const crd = await client.getOrUndefined<CustomResourceDefinition>(Resources.customResourceDefinitions, '', name);
    // A CRD that is not installed (core-only installation) has no caBundle to keep.
    if (!crd) return;
    const existing = crd.spec.conversion?.webhook?.clientConfig?.caBundle;
    const caBundle = Buffer.from(mergedBundle(existing ? Buffer.from(existing, 'base64').toString('utf8') : '', caPem)).toString('base64');
    const patch = { spec: { conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { caBundle } } } } };
    try {
      await client.mergePatch(Resources.customResourceDefinitions, '', name, patch, { resourceVersion: crd.metadata!.resourceVersion });
    } catch (err) {
      // Another replica changed the CRD in between: read it again and merge with what it wrote.
      if (err instanceof ApiError && err.code === 409 && attempt < 5) return this.trustCaIn(name, caPem, attempt + 1);
      throw err;
    }
  }

  private schedule(): void {
    let waitMs = RECHECK_MS;
    if (!this.options.certDir && this.current) {
      waitMs = Math.min(DAY_MS, Math.max(0, rotationTime(this.current) - Date.now()));
    }
    this.timer = setTimeout(() => void this.refresh(), waitMs);
    this.timer.unref();
  }

  private async refresh(): Promise<void> {
    try {
      const due = this.current !== undefined && Date.now() >= rotationTime(this.current);
      const pair = this.options.certDir ? await this.loadMounted() : due ? await this.rotate() : undefined;
      if (pair) {
        this.server?.setSecureContext({ minVersion: 'TLSv1.2', ...pair });
        this.options.logger.info('conversion webhook certificate rotated');
      }
    } catch (err) {
      // Keep serving the current certificate; the next check retries.
      this.options.logger.error('conversion webhook certificate refresh failed', { error: (err as Error).message });
    } finally {
      this.schedule();
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    if (path !== CONVERSION_WEBHOOK_PATH || req.method !== 'POST') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      const response = reviewConversion(await readJsonBody(req) as ConversionReview);
      if (response.response?.result.status === 'Failure') this.options.logger.warn('conversion failed', { message: response.response.result.message });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(response));
    } catch (err) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`${(err as Error).message}\n`);
    }
  }
}
