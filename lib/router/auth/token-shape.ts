// Tokens that cannot be valid are refused before the API server is asked: an unauthenticated caller must not be
// able to turn the router into a TokenReview generator. Service-account tokens (and OIDC ID tokens) are JWTs.

/** `jwt`: only JWTs can be valid (service-account and OIDC tokens); `any`: also opaque tokens (static or webhook). */
export type TokenFormat = 'jwt' | 'any';
export const TOKEN_FORMATS: readonly TokenFormat[] = ['jwt', 'any'];

/** Longer than any token a cluster issues (service-account tokens are about 1 KiB, OIDC ID tokens a few). */
export const MAX_TOKEN_BYTES = 8192;
/** Clock skew tolerated before an expired JWT is refused locally. */
const EXPIRY_LEEWAY_SECONDS = 60;

const JWT = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Why `token` cannot be valid, or undefined when only the API server can tell. */
export function tokenShapeProblem(token: string, format: TokenFormat, now = Date.now()): string | undefined {
  if (token.length === 0) return 'empty token';
  if (token.length > MAX_TOKEN_BYTES) return `token longer than ${MAX_TOKEN_BYTES} bytes`;
  if (format === 'any') return undefined;
  const parts = JWT.exec(token);
  if (!parts) return 'not a JWT';
  const header = decodeSegment(parts[1]!);
  if (typeof header?.alg !== 'string' || header.alg === 'none') return 'not a signed JWT';
  const claims = decodeSegment(parts[2]!);
  if (!claims) return 'not a JWT';
  if (typeof claims.exp === 'number' && claims.exp + EXPIRY_LEEWAY_SECONDS < now / 1000) return 'token expired';
  return undefined;
}
