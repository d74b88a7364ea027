// Resource paths and ApiError decoding.
import { ApiError, isAlreadyExists, isConflict, isGone, isNotFound, Resources, resourcePath, apiVersionOf, objectKey, splitKey } from '../../../lib/kube';

describe('resourcePath', () => {
  it('builds core, grouped, namespaced, cluster-scoped and subresource paths', () => {
    expect(resourcePath(Resources.pods, 'ns1', 'p')).toBe('/api/v1/namespaces/ns1/pods/p');
    expect(resourcePath(Resources.pods)).toBe('/api/v1/pods');
    expect(resourcePath(Resources.sandboxes, 'a', 'b', 'status')).toBe('/apis/agents.x-k8s.io/v1beta1/namespaces/a/sandboxes/b/status');
    expect(resourcePath(Resources.sandboxWarmPools, 'a')).toBe('/apis/extensions.agents.x-k8s.io/v1beta1/namespaces/a/sandboxwarmpools');
    expect(resourcePath(Resources.namespaces, 'ignored', 'x')).toBe('/api/v1/namespaces/x');
    expect(resourcePath(Resources.leases, 'kube-system', 'a3317529.agent-sandbox.x-k8s.io')).toBe('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/a3317529.agent-sandbox.x-k8s.io');
  });
  it('gives apiVersion strings', () => {
    expect(apiVersionOf(Resources.pods)).toBe('v1');
    expect(apiVersionOf(Resources.sandboxClaims)).toBe('extensions.agents.x-k8s.io/v1beta1');
  });
  it('round-trips keys', () => {
    expect(objectKey({ metadata: { namespace: 'a', name: 'b' } })).toBe('a/b');
    expect(objectKey({ metadata: { name: 'b' } })).toBe('b');
    expect(splitKey('a/b')).toEqual({ namespace: 'a', name: 'b' });
    expect(splitKey('b')).toEqual({ namespace: '', name: 'b' });
  });
});

describe('ApiError', () => {
  const status = (code: number, reason: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: `m ${reason}` });
  it('decodes Status bodies and classifies them', () => {
    const nf = ApiError.fromBody(404, status(404, 'NotFound'), 'GET /x');
    expect(nf.reason).toBe('NotFound');
    expect(nf.message).toContain('GET /x: 404 NotFound m NotFound');
    expect(isNotFound(nf)).toBe(true);
    const ae = ApiError.fromBody(409, status(409, 'AlreadyExists'), 'POST /x');
    expect(isAlreadyExists(ae)).toBe(true);
    expect(isConflict(ae)).toBe(false);
    expect(isConflict(ApiError.fromBody(409, status(409, 'Conflict'), 'PUT /x'))).toBe(true);
    expect(isGone(ApiError.fromBody(410, status(410, 'Expired'), 'w'))).toBe(true);
  });
  it('falls back to a reason from the code for non-Status bodies', () => {
    const e = ApiError.fromBody(503, '<html>down</html>', 'GET /y');
    expect(e.reason).toBe('ServiceUnavailable');
    expect(e.status.message).toBe('<html>down</html>');
    expect(isNotFound(new Error('x'))).toBe(false);
  });
});
