// Router flags: parsing and errors naming the flag, and the args the SandboxRouter builder renders being flags
// the router accepts (so a deployed router never crash-loops on its own manifest).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Deployment } from 'kubernetes-types/apps/v1';
import { buildRouter } from '../../../lib/builders/router';
import { DEFAULT_ROUTER_CONFIG, parseRouterConfig } from '../../../lib/router';
import { parseGoDuration } from '../../../lib/router/upstream-flags';
import { UPSTREAM_DEPLOYMENT_ARGS } from '../../support/upstream-router';

test('timeouts: total for unary requests, idle for streamed responses, with defaults', () => {
  expect(DEFAULT_ROUTER_CONFIG).toMatchObject({ proxyTimeoutSeconds: 180, streamIdleTimeoutSeconds: 360, idleTimeoutSeconds: 60 });
  expect(parseRouterConfig(['--proxy-timeout-seconds', '30', '--stream-idle-timeout-seconds=0.5'], {})).toMatchObject({ proxyTimeoutSeconds: 30, streamIdleTimeoutSeconds: 0.5 });
  expect(() => parseRouterConfig(['--stream-idle-timeout-seconds', 'forever'], {})).toThrow('--stream-idle-timeout-seconds: expected a non-negative number, got "forever"');
});

test('the builder renders flags the router parses', () => {
  const deployment = buildRouter({ proxyTimeoutSeconds: 120, streamIdleTimeoutSeconds: 900, idleTimeoutSeconds: 30, resumeHoldSeconds: 20 }).find((o) => o.kind === 'Deployment') as Deployment;
  const args = deployment.spec!.template.spec!.containers[0]!.args!;
  expect(parseRouterConfig(args, {})).toMatchObject({ proxyTimeoutSeconds: 120, streamIdleTimeoutSeconds: 900, idleTimeoutSeconds: 30, resumeHoldSeconds: 20, authzMode: 'tokenreview' });
  expect(() => buildRouter({ idleTimeoutSeconds: 30, resumeHoldSeconds: 30 })).toThrow('resumeHoldSeconds (30) must be below idleTimeoutSeconds (30)');
});

test('authorization and limit flags: defaults, what the builder renders parses, bad values name the flag', () => {
  expect(DEFAULT_ROUTER_CONFIG).toMatchObject({ authzApiCallsPerSecond: 50, authzStaleGraceSeconds: 120, authzTokenFormat: 'jwt', maxConnectionsPerSandbox: 512, maxQueuedRequestsPerSandbox: 1024, allowedSandboxPorts: '' });
  const deployment = buildRouter({ allowedSandboxPorts: [8888, 3000], maxQueuedRequestsPerSandbox: 64, authzApiCallsPerSecond: 20 }).find((o) => o.kind === 'Deployment') as Deployment;
  expect(parseRouterConfig(deployment.spec!.template.spec!.containers[0]!.args!, {})).toMatchObject({ allowedSandboxPorts: '8888,3000', maxQueuedRequestsPerSandbox: 64, authzApiCallsPerSecond: 20 });
  expect(() => parseRouterConfig(['--authz-token-format=opaque'], {})).toThrow('--authz-token-format: expected one of jwt, any, got "opaque"');
  expect(() => parseRouterConfig(['--allowed-sandbox-ports', '8888,http'], {})).toThrow('--allowed-sandbox-ports: expected comma-separated ports 1-65535, got "http"');
});

test("upstream's router Deployment args parse to the same settings", () => {
  expect(parseRouterConfig(UPSTREAM_DEPLOYMENT_ARGS, {})).toEqual({ ...DEFAULT_ROUTER_CONFIG, proxyTimeoutSeconds: 180 });
});

test('every upstream router flag is accepted in its own syntax: Go durations, booleans, -single-dash', () => {
  const config = parseRouterConfig([
    '--https-bind-address=:8443', '--tls-cert-file=/tls/tls.crt', '--tls-key-file', '/tls/tls.key', '--tls-client-ca-file=/tls/ca.crt', '--mtls-mode=optional',
    '--proxy-timeout=1m30s', '--response-header-timeout=30s', '--shutdown-timeout=45s', '--max-request-body-bytes=1048576',
    '--allow-loopback-pod-ip', '--upstream-max-retries=5', '--upstream-retry-initial-delay=100ms', '--upstream-retry-max-delay=1.5s',
    '--enable-tracing=false', '--enable-otel-metrics=false', '--authz-mode=tokenreview', '--authz-tokenreview-ttl=2m',
    '--authz-tokenreview-cache-size=2048', '--authz-tokenreview-require-token=false', '--authz-tokenreview-audiences=a,b',
    '--authz-scoped-token-secret-file=', '--cache-enabled', '-cache-namespace=team-a', '--kubeconfig=/kube/config', '--access-log=false',
  ], {});
  expect(config).toMatchObject({
    httpsBindAddress: ':8443', tlsCertFile: '/tls/tls.crt', tlsKeyFile: '/tls/tls.key', tlsClientCaFile: '/tls/ca.crt', mtlsMode: 'optional',
    proxyTimeoutSeconds: 90, responseHeaderTimeoutSeconds: 30, shutdownTimeoutSeconds: 45, maxRequestBodyBytes: 1048576,
    allowLoopbackPodIP: true, upstreamMaxRetries: 5, upstreamRetryInitialDelaySeconds: 0.1, upstreamRetryMaxDelaySeconds: 1.5,
    authzTokenreviewTtlSeconds: 120, authzTokenreviewCacheSize: 2048, authzTokenreviewRequireToken: false, authzTokenreviewAudiences: 'a,b',
    cacheEnabled: true, cacheNamespace: 'team-a', kubeconfig: '/kube/config', accessLog: false,
  });
  expect(DEFAULT_ROUTER_CONFIG.authzTokenreviewRequireToken).toBe(true); // ours requires a token by default; upstream does not
});

test('Go durations: units, fractions, sums; anything else names the flag', () => {
  expect(parseGoDuration('1h2m3.5s')).toBe(3723.5);
  expect(parseGoDuration('250ms')).toBeCloseTo(0.25);
  expect(parseGoDuration('0')).toBe(0);
  for (const bad of ['180', '3 s', '-1s', 's', '']) expect(parseGoDuration(bad)).toBeUndefined();
  expect(() => parseRouterConfig(['--proxy-timeout=180'], {})).toThrow('--proxy-timeout: expected a duration such as 180s, 1m30s or 200ms, got "180"');
});

test('what this router does not do is refused with the reason, never ignored', () => {
  expect(() => parseRouterConfig(['--enable-tracing'], {})).toThrow('--enable-tracing is not implemented by this router');
  expect(() => parseRouterConfig(['--cache-enabled=false'], {})).toThrow('--cache-enabled=false is not supported: this router routes only from its watch of Sandboxes');
  expect(() => parseRouterConfig(['--https-bind-address=:8443'], {})).toThrow('--https-bind-address needs --tls-cert-file and --tls-key-file');
  expect(() => parseRouterConfig(['--mtls-mode=required'], {})).toThrow('--mtls-mode=required needs --https-bind-address and --tls-client-ca-file');
  expect(() => parseRouterConfig(['--http-bind-address='], {})).toThrow('nothing would listen');
  expect(() => parseRouterConfig(['--no-such-flag=1'], {})).toThrow(/^unknown flag --no-such-flag; known: .*--proxy-timeout/);
});

test('--config (or $SANDBOX_ROUTER_CONFIG): a YAML file of flag names, under the command line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'router-config-'));
  const file = path.join(dir, 'router.yaml');
  fs.writeFileSync(file, 'proxy-timeout: 2m\ncache-namespace: from-file\naccess-log: false\nmax-request-body-bytes: 1024\n');
  try {
    expect(parseRouterConfig(['--config', file, '--cache-namespace=from-flag'], {})).toMatchObject({ proxyTimeoutSeconds: 120, cacheNamespace: 'from-flag', accessLog: false, maxRequestBodyBytes: 1024 });
    expect(parseRouterConfig([], { SANDBOX_ROUTER_CONFIG: file })).toMatchObject({ proxyTimeoutSeconds: 120, cacheNamespace: 'from-file' });
    fs.writeFileSync(file, 'no-such-key: 1\n');
    expect(() => parseRouterConfig([`--config=${file}`], {})).toThrow('unknown flag --no-such-key');
    fs.writeFileSync(file, '- a\n');
    expect(() => parseRouterConfig([`--config=${file}`], {})).toThrow(`--config ${file}: expected a mapping of flag names to values`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
