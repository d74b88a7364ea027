// Router flags: parsing and errors naming the flag, and the args the SandboxRouter builder renders being flags
// the router accepts (so a deployed router never crash-loops on its own manifest).
import type { Deployment } from 'kubernetes-types/apps/v1';
import { buildRouter } from '../../../lib/builders/router';
import { DEFAULT_ROUTER_CONFIG, parseRouterConfig } from '../../../lib/router';

test('timeouts: total for unary requests, idle for streamed responses, with defaults', () => {
  expect(DEFAULT_ROUTER_CONFIG).toMatchObject({ proxyTimeoutSeconds: 180, streamIdleTimeoutSeconds: 360, idleTimeoutSeconds: 60 });
  expect(parseRouterConfig(['--proxy-timeout-seconds', '30', '--stream-idle-timeout-seconds=0.5'], {})).toMatchObject({ proxyTimeoutSeconds: 30, streamIdleTimeoutSeconds: 0.5 });
  expect(() => parseRouterConfig(['--stream-idle-timeout-seconds', 'forever'], {})).toThrow('--stream-idle-timeout-seconds: expected a non-negative number, got "forever"');
});

test('the builder renders flags the router parses', () => {
  const deployment = buildRouter({ proxyTimeoutSeconds: 120, streamIdleTimeoutSeconds: 900, idleTimeoutSeconds: 30 }).find((o) => o.kind === 'Deployment') as Deployment;
  const args = deployment.spec!.template.spec!.containers[0]!.args!;
  expect(parseRouterConfig(args, {})).toMatchObject({ proxyTimeoutSeconds: 120, streamIdleTimeoutSeconds: 900, idleTimeoutSeconds: 30, authzMode: 'tokenreview' });
});

test('authorization and limit flags: defaults, what the builder renders parses, bad values name the flag', () => {
  expect(DEFAULT_ROUTER_CONFIG).toMatchObject({ authzApiCallsPerSecond: 50, authzStaleGraceSeconds: 120, authzTokenFormat: 'jwt', maxConnectionsPerSandbox: 512, maxQueuedRequestsPerSandbox: 1024, allowedSandboxPorts: '' });
  const deployment = buildRouter({ allowedSandboxPorts: [8888, 3000], maxQueuedRequestsPerSandbox: 64, authzApiCallsPerSecond: 20 }).find((o) => o.kind === 'Deployment') as Deployment;
  expect(parseRouterConfig(deployment.spec!.template.spec!.containers[0]!.args!, {})).toMatchObject({ allowedSandboxPorts: '8888,3000', maxQueuedRequestsPerSandbox: 64, authzApiCallsPerSecond: 20 });
  expect(() => parseRouterConfig(['--authz-token-format=opaque'], {})).toThrow('--authz-token-format: expected one of jwt, any, got "opaque"');
  expect(() => parseRouterConfig(['--allowed-sandbox-ports', '8888,http'], {})).toThrow('--allowed-sandbox-ports: expected comma-separated ports 1-65535, got "http"');
});
