// tokenreview mode without an API server: the shape filter, the review cache (coalescing, refresh ahead, stale
// answers through an outage), the per-sandbox SubjectAccessReview and its 403, and the API call budget (429).
import { ReviewCache, ReviewUnavailable } from '../../../lib/router/auth/review-cache';
import { RouterMetrics, tokenShapeProblem, TokenReviewAuthorizer, type AuthDecision } from '../../../lib/router';
import type { RouteRequest } from '../../../lib/router/headers';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object = {}, alg = 'RS256') => `${b64({ alg, kid: 'k' })}.${b64({ iss: 'https://kubernetes.default.svc', ...claims })}.c2lnbmF0dXJl`;
const route = (namespace: string, id: string): RouteRequest => ({ namespace, id, port: 8888, resume: true });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('tokenShapeProblem', () => {
  test.each([
    ['', 'jwt', 'empty token'],
    ['x'.repeat(8193), 'any', 'token longer than 8192 bytes'],
    ['not-a-token', 'jwt', 'not a JWT'],
    [`${b64({ typ: 'JWT' })}.${b64({})}.sig`, 'jwt', 'not a signed JWT'],
    [jwt({}, 'none'), 'jwt', 'not a signed JWT'],
    [`${b64({ alg: 'RS256' })}.bm90LWpzb24.sig`, 'jwt', 'not a JWT'],
    [jwt({ exp: 1_000 }), 'jwt', 'token expired'],
  ])('case %#: refused', (token, format, problem) => {
    expect(tokenShapeProblem(token, format as 'jwt' | 'any', 2_000_000_000_000)).toBe(problem);
  });
  test('plausible tokens are left to the API server', () => {
    expect(tokenShapeProblem(jwt({ exp: 2_000_000_100 }), 'jwt', 2_000_000_000_000)).toBeUndefined();
    expect(tokenShapeProblem('opaque-static-token', 'any')).toBeUndefined();
  });
});

describe('ReviewCache', () => {
  let now = 0;
  const cache = () => new ReviewCache<string>({ maxEntries: 10, staleGraceMs: 5_000, clock: () => now });

  test('concurrent misses share one load; a hit near expiry refreshes in the background', async () => {
    now = 0;
    const c = cache();
    let loads = 0;
    const load = async () => ({ value: `v${++loads}`, ttlMs: 1_000 });
    expect(await Promise.all(Array.from({ length: 50 }, () => c.get('k', load)))).toEqual(Array(50).fill('v1'));
    expect(loads).toBe(1);
    now = 900; // last 20% of the TTL: answered from cache, refreshed behind it
    expect(await c.get('k', load)).toBe('v1');
    await Promise.resolve();
    expect(loads).toBe(2);
    expect(await c.get('k', load)).toBe('v2');
  });

  test('an expired entry answers while the source is unavailable, until the grace ends', async () => {
    now = 0;
    const c = cache();
    await c.get('k', async () => ({ value: 'allowed', ttlMs: 1_000 }));
    const down = async (): Promise<never> => {
      throw new ReviewUnavailable('down', 503, 1);
    };
    now = 5_999;
    expect(await c.get('k', down)).toBe('allowed');
    now = 6_001;
    await expect(c.get('k', down)).rejects.toThrow('down');
    await expect(c.get('other', down)).rejects.toThrow('down');
  });
});

/** A fake API server: TokenReview knows `tokens` (token -> username), SubjectAccessReview allows `grants`. */
function fakeApi(tokens: Record<string, string>, grants: Set<string>) {
  const calls: string[] = [];
  let down = false;
  const client = {
    create: async (type: { plural: string }, obj: any): Promise<any> => {
      calls.push(type.plural);
      if (down) throw new Error('connect ECONNREFUSED');
      if (type.plural === 'tokenreviews') {
        const username = tokens[obj.spec.token];
        return { ...obj, status: username ? { authenticated: true, user: { username, groups: ['system:authenticated'] } } : { authenticated: false } };
      }
      const { namespace, name, resource, subresource, verb } = obj.spec.resourceAttributes;
      expect([resource, subresource, verb]).toEqual(['sandboxes', 'proxy', 'create']);
      return { ...obj, status: { allowed: grants.has(`${obj.spec.user} ${namespace}/${name}`) } };
    },
  };
  return { client, calls, setDown: (value: boolean) => (down = value) };
}

describe('TokenReviewAuthorizer', () => {
  const insider = jwt({ sub: 'insider' });
  const outsider = jwt({ sub: 'outsider' });
  const users = { [insider]: 'system:serviceaccount:team-a:agent', [outsider]: 'system:serviceaccount:rel-other:outsider' };
  const grants = new Set(['system:serviceaccount:team-a:agent team-a/sb-1']);

  test('authenticated is not enough: the SubjectAccessReview decides, and the 403 names what is missing', async () => {
    const api = fakeApi(users, grants);
    const authz = new TokenReviewAuthorizer(api.client);
    expect(await authz.authorize(bearer(insider), route('team-a', 'sb-1'))).toEqual({ allowed: true });
    const refused = await authz.authorize(bearer(outsider), route('team-a', 'sb-1'));
    expect(refused).toMatchObject({ allowed: false, status: 403 });
    expect((refused as { detail: string }).detail).toBe(
      'serviceaccount rel-other/outsider may not proxy to sandboxes/team-a/sb-1 (needs verb "create" on sandboxes/proxy in API group agents.x-k8s.io, namespace team-a).',
    );
    expect(await authz.authorize(bearer(insider), route('team-a', 'sb-2'))).toMatchObject({ allowed: false, status: 403 });
    expect(await authz.authorize(bearer(jwt({ sub: 'unknown' })), route('team-a', 'sb-1'))).toMatchObject({ allowed: false, status: 401 });
  });

  test('50 concurrent requests at a cold or expired entry cost one review of each kind, and never fail', async () => {
    let now = 0;
    const api = fakeApi(users, grants);
    const authz = new TokenReviewAuthorizer(api.client, { ttlMs: 1_000, clock: () => now });
    const burst = () => Promise.all(Array.from({ length: 50 }, () => authz.authorize(bearer(insider), route('team-a', 'sb-1'))));
    expect(new Set((await burst()).map((d) => d.allowed))).toEqual(new Set([true]));
    now = 5_000;
    expect(new Set((await burst()).map((d) => d.allowed))).toEqual(new Set([true]));
    expect(api.calls).toEqual(['tokenreviews', 'subjectaccessreviews', 'tokenreviews', 'subjectaccessreviews']);
  });

  test('cached decisions keep answering while the API server is down; unknown callers get 503 with Retry-After', async () => {
    let now = 0;
    const api = fakeApi(users, grants);
    const authz = new TokenReviewAuthorizer(api.client, { ttlMs: 1_000, staleGraceMs: 60_000, clock: () => now });
    await authz.authorize(bearer(insider), route('team-a', 'sb-1'));
    api.setDown(true);
    now = 30_000;
    expect(await authz.authorize(bearer(insider), route('team-a', 'sb-1'))).toEqual({ allowed: true });
    const unknown = await authz.authorize(bearer(outsider), route('team-a', 'sb-1'));
    expect(unknown).toMatchObject({ allowed: false, status: 503, retryAfterSeconds: 1 });
    expect((unknown as { detail: string }).detail).toContain('Could not check the token with the API server (tokenreview): connect ECONNREFUSED');
  });

  test('1,000 distinct junk tokens over 10 s: impossible ones cost nothing, plausible ones drain their own budget (429 past it)', async () => {
    const api = fakeApi(users, grants);
    const metrics = new RouterMetrics();
    let now = 0;
    const authz = new TokenReviewAuthorizer(api.client, { apiCallsPerSecond: 50, metrics, clock: () => now });
    await authz.authorize(bearer(insider), route('team-a', 'sb-1')); // a known caller, reviewed before the flood
    const decisions: AuthDecision[] = [];
    for (let i = 0; i < 1000; i++) {
      const token = i % 2 ? `junk-${i}` : jwt({ jti: String(i) });
      decisions.push(await authz.authorize(bearer(token), route('team-a', 'sb-1')));
      now += 10;
    }
    // The known caller's two reviews, then the new-token share (20/s) less 20 per refused token: about 1 a second.
    expect(api.calls.length).toBeLessThanOrEqual(2 + 20 + 1 * 10);
    expect(decisions.filter((d) => !d.allowed && d.status === 401)).toHaveLength(500 + (api.calls.length - 2));
    expect(decisions.filter((d) => !d.allowed && d.status === 429).length).toBeGreaterThan(450);
    expect((await metrics.registry.getSingleMetric('sandbox_router_authz_throttled_total')!.get()).values[0]!.value).toBeGreaterThan(450);
    // The rest of the budget keeps a known caller's reviews going: a new sandbox still gets its answer, not a 429.
    expect(await authz.authorize(bearer(insider), route('team-a', 'sb-2'))).toMatchObject({ status: 403 });
    // The junk's debt is capped: two seconds after the flood a new caller is reviewed again.
    now += 2_000;
    expect(await authz.authorize(bearer(outsider), route('team-a', 'sb-1'))).toMatchObject({ status: 403 });
  });

  test('a concurrent flood of new tokens against a slow API server: at most 4 reviews in flight, the rest 429', async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => { release = resolve; });
    let reviews = 0;
    const client = {
      create: async (_type: unknown, obj: any): Promise<any> => {
        reviews++;
        await slow;
        return { ...obj, status: { authenticated: false } };
      },
    };
    const authz = new TokenReviewAuthorizer(client, { apiCallsPerSecond: 1000, clock: () => 0 });
    const pending = Array.from({ length: 50 }, (_, i) => authz.authorize(bearer(jwt({ jti: `flood-${i}` })), route('team-a', 'sb-1')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(reviews).toBe(4);
    release();
    const decisions = await Promise.all(pending);
    expect(decisions.filter((d) => !d.allowed && d.status === 401)).toHaveLength(4);
    expect(decisions.filter((d) => !d.allowed && d.status === 429)).toHaveLength(46);
  });
});
