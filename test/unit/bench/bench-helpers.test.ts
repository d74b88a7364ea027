import { diffWrites, parseWriteCounts, totalWrites } from '../../bench/api-writes';
import { percentile } from '../../bench/claim-watch';

const metrics = `# HELP apiserver_request_total x
apiserver_request_total{code="201",component="apiserver",dry_run="",group="agents.x-k8s.io",resource="sandboxes",scope="resource",subresource="",verb="POST",version="v1beta1"} 7
apiserver_request_total{code="200",component="apiserver",dry_run="",group="agents.x-k8s.io",resource="sandboxes",scope="resource",subresource="",verb="PATCH",version="v1beta1"} 3
apiserver_request_total{code="409",component="apiserver",dry_run="",group="agents.x-k8s.io",resource="sandboxes",scope="resource",subresource="",verb="PATCH",version="v1beta1"} 1
apiserver_request_total{code="200",component="apiserver",dry_run="",group="extensions.agents.x-k8s.io",resource="sandboxclaims",scope="resource",subresource="status",verb="PATCH",version="v1beta1"} 2
apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="GET",version="v1"} 99
apiserver_request_total{code="200",component="apiserver",dry_run="",group="coordination.k8s.io",resource="leases",scope="resource",subresource="",verb="PUT",version="v1"} 50
`;

test('write counts: write verbs only, by resource/subresource, all response codes, heartbeats excluded', () => {
  const counts = parseWriteCounts(metrics);
  expect(Object.fromEntries(counts)).toEqual({ 'sandboxes POST': 7, 'sandboxes PATCH': 4, 'sandboxclaims/status PATCH': 2 });
  const later = parseWriteCounts(metrics.replace('} 7', '} 10'));
  expect(Object.fromEntries(diffWrites(counts, later))).toEqual({ 'sandboxes POST': 3 });
  expect(totalWrites(counts, (k) => k.startsWith('sandboxes '))).toBe(11);
});

test('percentile is nearest-rank', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  expect([percentile(values, 50), percentile(values, 90), percentile(values, 99)]).toEqual([50, 90, 99]);
  expect(percentile([5], 99)).toBe(5);
  expect(percentile([], 50)).toBeNaN();
});
