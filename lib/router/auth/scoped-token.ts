// Short-lived HMAC tokens scoped to one sandbox (namespace/name), upstream's `scoped-token` format:
// v1.<base64url(json{"ns","name","exp"})>.<base64url(HMAC-SHA256(secret, "agent-sandbox/scoped-token/v1." + payload))>
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteRequest } from '../headers';
import { allow, bearerToken, deny, type AuthDecision, type Authorizer } from './authorizer';

const SIGNING_PREFIX = 'agent-sandbox/scoped-token/v1.';
export const MIN_SCOPED_TOKEN_SECRET_BYTES = 32;

export interface ScopedTokenClaims {
  readonly namespace: string;
  readonly name: string;
  /** Expiry, seconds since the epoch. */
  readonly expiresAt: number;
}

function checkSecret(secret: Buffer): Buffer {
  const trimmed = Buffer.from(secret.toString('utf8').trim(), 'utf8');
  if (trimmed.length < MIN_SCOPED_TOKEN_SECRET_BYTES) {
    throw new Error(`scoped-token secret must be at least ${MIN_SCOPED_TOKEN_SECRET_BYTES} bytes after trimming (got ${trimmed.length})`);
  }
  return trimmed;
}

const sign = (secret: Buffer, payload: string): Buffer => createHmac('sha256', secret).update(SIGNING_PREFIX + payload).digest();

/** Mints a token for `namespace/name` valid for `ttlSeconds` (used by the SDK, controllers and tests). */
export function mintScopedToken(secret: Buffer, scope: { namespace: string; name: string; ttlSeconds: number }, now = Date.now()): string {
  const key = checkSecret(secret);
  const exp = Math.floor(now / 1000) + Math.max(1, Math.floor(scope.ttlSeconds));
  const payload = Buffer.from(JSON.stringify({ ns: scope.namespace, name: scope.name, exp })).toString('base64url');
  return `v1.${payload}.${sign(key, payload).toString('base64url')}`;
}

/** Verifies signature and expiry; returns the claims or a reason the token is invalid. */
export function verifyScopedToken(secret: Buffer, token: string, now = Date.now()): ScopedTokenClaims | string {
  const [version, payload, signature, ...extra] = token.split('.');
  if (version !== 'v1' || !payload || !signature || extra.length) return 'malformed token';
  const expected = sign(checkSecret(secret), payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature';
  let claims: { ns?: unknown; name?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return 'malformed payload';
  }
  if (typeof claims.ns !== 'string' || typeof claims.name !== 'string' || typeof claims.exp !== 'number') return 'malformed payload';
  if (claims.exp * 1000 <= now) return 'token expired';
  return { namespace: claims.ns, name: claims.name, expiresAt: claims.exp };
}

export class ScopedTokenAuthorizer implements Authorizer {
  readonly mode = 'scoped-token';
  private readonly secret: Buffer;

  constructor(secret: Buffer) {
    this.secret = checkSecret(secret);
  }

  async authorize(headers: IncomingHttpHeaders, route: RouteRequest): Promise<AuthDecision> {
    const token = bearerToken(headers);
    if (!token) return deny(401, 'A bearer token scoped to this sandbox is required.');
    const claims = verifyScopedToken(this.secret, token);
    if (typeof claims === 'string') return deny(401, `Invalid scoped token: ${claims}.`);
    if (claims.namespace !== route.namespace || claims.name !== route.id) {
      return deny(403, `Token is scoped to sandbox ${claims.namespace}/${claims.name}, not ${route.namespace}/${route.id}.`);
    }
    // Pod-IP/UID addressing would let a token for one sandbox name a different pod.
    if (route.podIP !== undefined || route.uid !== undefined) return deny(403, 'X-Sandbox-Pod-IP and X-Sandbox-UID are not allowed with scoped tokens.');
    return allow;
  }
}
