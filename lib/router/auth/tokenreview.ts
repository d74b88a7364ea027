// Bearer tokens checked with the Kubernetes TokenReview API (authentication only), decisions cached by
// SHA-256 of the token with a TTL (errors cached for a third of it) in a bounded LRU.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { KubeClient, KubeObject, ResourceType } from '../../kube';
import { allow, bearerToken, deny, type AuthDecision, type Authorizer } from './authorizer';

const TOKEN_REVIEWS: ResourceType = { group: 'authentication.k8s.io', version: 'v1', plural: 'tokenreviews', kind: 'TokenReview', namespaced: false };

interface TokenReview extends KubeObject {
  spec: { token: string; audiences?: string[] };
  status?: { authenticated?: boolean; error?: string; user?: { username?: string } };
}

export interface TokenReviewOptions {
  /** How long a decision is reused. @default 30000 */
  readonly ttlMs?: number;
  /** Cached decisions kept. @default 2048 */
  readonly cacheSize?: number;
  /** Audiences the token must be valid for. @default [] (the API server's) */
  readonly audiences?: readonly string[];
}

export class TokenReviewAuthorizer implements Authorizer {
  readonly mode = 'tokenreview';
  private readonly cache = new Map<string, { decision: AuthDecision; expiresAt: number }>();
  private readonly ttlMs: number;

  constructor(private readonly client: Pick<KubeClient, 'create'>, private readonly options: TokenReviewOptions = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
  }

  async authorize(headers: IncomingHttpHeaders): Promise<AuthDecision> {
    const token = bearerToken(headers);
    if (!token) return deny(401, 'A bearer token is required.');
    const key = createHash('sha256').update(token).digest('hex');
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.decision;
    const { decision, ttlMs } = await this.review(token);
    this.remember(key, decision, ttlMs);
    return decision;
  }

  private async review(token: string): Promise<{ decision: AuthDecision; ttlMs: number }> {
    const audiences = this.options.audiences?.length ? [...this.options.audiences] : undefined;
    try {
      const review = await this.client.create<TokenReview>(TOKEN_REVIEWS, {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token, audiences },
      });
      const ok = review.status?.authenticated === true;
      return { decision: ok ? allow : deny(401, 'Bearer token was not authenticated.'), ttlMs: this.ttlMs };
    } catch (err) {
      return { decision: deny(500, `TokenReview failed: ${(err as Error).message}`), ttlMs: Math.max(1000, this.ttlMs / 3) };
    }
  }

  private remember(key: string, decision: AuthDecision, ttlMs: number): void {
    this.cache.delete(key);
    this.cache.set(key, { decision, expiresAt: Date.now() + ttlMs });
    if (this.cache.size > (this.options.cacheSize ?? 2048)) this.cache.delete(this.cache.keys().next().value!);
  }
}
