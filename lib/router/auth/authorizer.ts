// The router's authorization contract: every request is checked before its target is resolved, so
// unauthenticated clients learn nothing about which sandboxes exist.
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteRequest } from '../headers';

export type AuthDecision = { readonly allowed: true } | { readonly allowed: false; readonly status: 401 | 403 | 500; readonly detail: string };

export interface Authorizer {
  readonly mode: string;
  authorize(headers: IncomingHttpHeaders, route: RouteRequest): Promise<AuthDecision>;
}

export const allow: AuthDecision = { allowed: true };
export const deny = (status: 401 | 403 | 500, detail: string): AuthDecision => ({ allowed: false, status, detail });

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
