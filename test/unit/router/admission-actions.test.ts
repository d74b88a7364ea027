// The router never lets a caller start a startup action (the runtime's long action timeouts are the controller's
// alone), before authorization or lookup; following one's output is a request like any other.
import type { IncomingMessage } from 'node:http';
import { AllowAllAuthorizer, NO_NODES, RouterMetrics } from '../../../lib/router';
import { admit } from '../../../lib/router/admission';

const deps = {
  resolver: { lookup: () => ({ namespace: 'ns', name: 'sb', uid: 'u', podIPs: ['198.18.0.7'] }), ready: () => true, refresh: async () => undefined },
  authorizer: new AllowAllAuthorizer(), metrics: new RouterMetrics(), allowLoopbackPodIP: false, nodeAddresses: NO_NODES,
};
const request = (method: string, url: string) => ({ method, url, headers: { 'x-sandbox-id': 'sb', 'x-sandbox-namespace': 'ns' }, socket: {} }) as unknown as IncomingMessage;

test('POST /v1/actions/{id} is refused with 403; GET of its output and other commands pass', async () => {
  await expect(admit(request('POST', '/v1/actions/abc-0'), deps)).rejects.toMatchObject({
    status: 403, message: 'Startup actions are started by the controller only; run commands with /execute or /v1/exec/stream.',
  });
  await expect(admit(request('GET', '/v1/actions/abc-0/output'), deps)).resolves.toMatchObject({ host: '198.18.0.7' });
  await expect(admit(request('POST', '/v1/exec/stream'), deps)).resolves.toMatchObject({ host: '198.18.0.7' });
});
