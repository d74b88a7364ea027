// `tokenreview` mode: the caller's bearer token is authenticated with a TokenReview, then the identity it names is
// authorized for the one sandbox it asks for with a SubjectAccessReview (SANDBOX_PROXY_ACCESS), so plain RBAC
// decides who reaches which sandboxes. Tokens that cannot be valid never reach the API server; both reviews are
// cached (failures too), coalesced and served stale through brief outages; API calls share a budget per second,
// past which callers get 429, and tokens never seen before may use only a share of it, which each one the API server
// refuses drains further (junk cannot starve known callers, and a flood of it is answered 429 almost at once).
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SANDBOX_PROXY_ACCESS } from '../../api';
import { TokenBucket, type KubeClient, type KubeObject, type ResourceType } from '../../kube';
import type { RouteRequest } from '../headers';
import type { RouterMetrics } from '../metrics';
import { allow, bearerToken, deny, type AuthDecision, type Authorizer } from './authorizer';
import { ReviewCache, ReviewUnavailable, type Reviewed } from './review-cache';
import { tokenShapeProblem, type TokenFormat } from './token-shape';

const TOKEN_REVIEWS: ResourceType = { group: 'authentication.k8s.io', version: 'v1', plural: 'tokenreviews', kind: 'TokenReview', namespaced: false };
const SUBJECT_ACCESS_REVIEWS: ResourceType = { group: 'authorization.k8s.io', version: 'v1', plural: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false };

interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

interface TokenReview extends KubeObject {
  spec: { token: string; audiences?: string[] };
  status?: { authenticated?: boolean; error?: string; user?: UserInfo };
}

interface SubjectAccessReview extends KubeObject {
  spec: UserInfo & { user?: string; resourceAttributes: Record<string, string> };
  status?: { allowed?: boolean; reason?: string; evaluationError?: string };
}

type Authentication = { readonly user: UserInfo } | { readonly refused: string };

export type ReviewKind = 'tokenreview' | 'subjectaccessreview';

export interface TokenReviewOptions {
  /** How long a decision (allowed or refused) is reused. @default 30000 */
  readonly ttlMs?: number;
  /** How long past its TTL a decision still answers while the API server cannot be asked. @default 120000 */
  readonly staleGraceMs?: number;
  /** Decisions kept, per kind of review. @default 10000 */
  readonly cacheSize?: number;
  /** Audiences the token must be valid for. @default [] (the API server's) */
  readonly audiences?: readonly string[];
  /** Which tokens can be valid at all; others get 401 without an API call. @default "jwt" */
  readonly tokenFormat?: TokenFormat;
  /** TokenReviews plus SubjectAccessReviews per second (also the burst), 2/5 of it for tokens never seen; past it, 429. @default 50 */
  readonly apiCallsPerSecond?: number;
  /** Counters for API calls, throttling and locally refused tokens. @default - none */
  readonly metrics?: RouterMetrics;
  /** Refuse requests without a bearer token; false lets them through unchecked (upstream's default). @default true */
  readonly requireToken?: boolean;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** The 401 for a request without a token names every way in. */
export const TOKEN_REQUIRED_DETAIL = 'A bearer token is required: send "Authorization: Bearer <token>" with a Kubernetes token '
  + '(e.g. `kubectl create token <serviceaccount>`) whose identity may create sandboxes/proxy on the sandbox, '
  + 'or connect through `kubectl port-forward` to the router Pod when the router trusts port-forwarded callers '
  + '(--authz-trust-port-forward).';

/** Share of the API budget tokens never reviewed before may use: a flood of new (junk) tokens cannot starve known callers. */
const NEW_TOKEN_SHARE = 0.4;
/** What a new token the API server refused costs the new-token budget, in reviews: junk throttles itself. */
const REFUSED_NEW_TOKEN_COST = 20;
const RETRY_AFTER_SECONDS = 1;
/**
 * New tokens reviewed at once: a refused token's cost lands only when its review returns, so without a bound a slow
 * API server would let a concurrent flood through at the bucket's rate for as long as the reviews take.
 */
const MAX_NEW_TOKEN_REVIEWS_IN_FLIGHT = 4;

/** `serviceaccount ns/name` for service accounts, else `user <name>`. */
export function describeUser(username = ''): string {
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  return sa ? `serviceaccount ${sa[1]}/${sa[2]}` : `user ${username || '(anonymous)'}`;
}

export class TokenReviewAuthorizer implements Authorizer {
  readonly mode = 'tokenreview';
  private readonly tokens: ReviewCache<Authentication>;
  private readonly access: ReviewCache<AuthDecision>;
  private readonly budget: TokenBucket;
  private readonly newTokenBudget: TokenBucket;
  private readonly ttlMs: number;
  private readonly clock: () => number;
  private newTokenReviewsInFlight = 0;

  constructor(private readonly client: Pick<KubeClient, 'create'>, private readonly options: TokenReviewOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.clock = options.clock ?? Date.now;
    const cacheOptions = { maxEntries: options.cacheSize ?? 10_000, staleGraceMs: options.staleGraceMs ?? 120_000, clock: this.clock };
    this.tokens = new ReviewCache(cacheOptions);
    this.access = new ReviewCache(cacheOptions);
    const perSecond = options.apiCallsPerSecond ?? 50;
    this.budget = new TokenBucket(perSecond, Math.max(1, perSecond), this.clock);
    const newTokensPerSecond = perSecond * NEW_TOKEN_SHARE;
    this.newTokenBudget = new TokenBucket(newTokensPerSecond, Math.max(1, newTokensPerSecond), this.clock);
  }

  async authorize(headers: IncomingHttpHeaders, route: RouteRequest): Promise<AuthDecision> {
    const token = bearerToken(headers);
    if (!token) return this.options.requireToken === false ? allow : deny(401, TOKEN_REQUIRED_DETAIL);
    const problem = tokenShapeProblem(token, this.options.tokenFormat ?? 'jwt', this.clock());
    if (problem) {
      this.options.metrics?.authzRefusedTokens.inc({ reason: problem.replace(/\d+/g, 'N') });
      return deny(401, `Bearer token refused: ${problem}.`);
    }
    const tokenKey = createHash('sha256').update(token).digest('base64url');
    try {
      const known = this.tokens.has(tokenKey);
      const authn = await this.tokens.get(tokenKey, () => this.authenticate(token, known));
      if ('refused' in authn) return deny(401, authn.refused);
      return await this.access.get(`${tokenKey} ${route.namespace}/${route.id}`, () => this.authorizeAccess(authn.user, route));
    } catch (err) {
      if (err instanceof ReviewUnavailable) return deny(err.status, err.message, err.retryAfterSeconds);
      throw err;
    }
  }

  private async authenticate(token: string, known: boolean): Promise<Reviewed<Authentication>> {
    const audiences = this.options.audiences?.length ? [...this.options.audiences] : undefined;
    if (!known && this.newTokenReviewsInFlight >= MAX_NEW_TOKEN_REVIEWS_IN_FLIGHT) throw this.throttled('tokenreview');
    if (!known) this.newTokenReviewsInFlight++;
    try {
      const review = await this.call('tokenreview', known, () => this.client.create<TokenReview>(TOKEN_REVIEWS, {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token, audiences },
      }));
      const user = review.status?.user;
      if (review.status?.authenticated === true && user?.username) return { value: { user }, ttlMs: this.ttlMs };
      // The debt is capped at one burst, so new callers are served again within seconds of a flood's end.
      if (!known) this.newTokenBudget.charge(REFUSED_NEW_TOKEN_COST - 1, this.newTokenBudget.burst);
      return { value: { refused: 'Bearer token was not authenticated.' }, ttlMs: this.ttlMs };
    } finally {
      if (!known) this.newTokenReviewsInFlight--;
    }
  }

  private async authorizeAccess(user: UserInfo, route: RouteRequest): Promise<Reviewed<AuthDecision>> {
    const { group, resource, subresource, verb } = SANDBOX_PROXY_ACCESS;
    const review = await this.call('subjectaccessreview', true, () => this.client.create<SubjectAccessReview>(SUBJECT_ACCESS_REVIEWS, {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {},
      spec: {
        user: user.username, uid: user.uid, groups: user.groups, extra: user.extra,
        resourceAttributes: { group, resource, subresource, verb, namespace: route.namespace, name: route.id },
      },
    }));
    if (review.status?.allowed === true) return { value: allow, ttlMs: this.ttlMs };
    const why = review.status?.reason || review.status?.evaluationError;
    const detail = `${describeUser(user.username)} may not proxy to ${resource}/${route.namespace}/${route.id}`
      + ` (needs verb "${verb}" on ${resource}/${subresource} in API group ${group}, namespace ${route.namespace})${why ? `: ${why}` : ''}.`;
    return { value: deny(403, detail), ttlMs: this.ttlMs };
  }

  private throttled(kind: ReviewKind): ReviewUnavailable {
    this.options.metrics?.authzThrottled.inc({ kind });
    return new ReviewUnavailable('Too many token checks at the router; retry later.', 429, RETRY_AFTER_SECONDS);
  }

  /** One API call within the budget; failures and a spent budget become ReviewUnavailable (stale entries may answer). */
  private async call<T>(kind: ReviewKind, known: boolean, create: () => Promise<T>): Promise<T> {
    // A new token must fit both budgets; the new-token bucket is checked first so a refusal there costs nothing.
    if (!(known || this.newTokenBudget.tryTake()) || !this.budget.tryTake()) throw this.throttled(kind);
    try {
      const result = await create();
      this.options.metrics?.authzApiCalls.inc({ kind, result: 'ok' });
      return result;
    } catch (err) {
      this.options.metrics?.authzApiCalls.inc({ kind, result: 'error' });
      throw new ReviewUnavailable(`Could not check the token with the API server (${kind}): ${(err as Error).message}`, 503, RETRY_AFTER_SECONDS);
    }
  }
}
