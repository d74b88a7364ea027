// The router's authorization contract: every request is checked before its target is resolved, so
// unauthenticated clients learn nothing about which sandboxes exist.
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteRequest } from '../headers';

/** 429: the router's budget of API calls is spent; 503: the API server could not be asked. Both carry Retry-After. */
export type DenyStatus = 401 | 403 | 429 | 503;

export type AuthDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly status: DenyStatus; readonly detail: string; readonly retryAfterSeconds?: number };

export interface Authorizer {
  readonly mode: string;
  authorize(headers: IncomingHttpHeaders, route: RouteRequest): Promise<AuthDecision>;
}

export const allow: AuthDecision = { allowed: true };
export const deny = (status: DenyStatus, detail: string, retryAfterSeconds?: number): AuthDecision => ({ allowed: false, status, detail, retryAfterSeconds });

/** The bearer token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/** Local development only: every request is allowed. */
export class AllowAllAuthorizer implements Authorizer {
  readonly mode = 'allow-all';

  async authorize(): Promise<AuthDecision> {
    return allow;
  }
}
