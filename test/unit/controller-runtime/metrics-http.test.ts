// Metrics names/types and the /metrics + probe HTTP plumbing.
import { request } from 'node:http';
import { boundPort, closeServer, parseBindAddress, serveRoutes } from '../../../lib/controller-runtime';
import { ControllerMetrics } from '../../../lib/controller/metrics';

function get(port: number, path: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

describe('ControllerMetrics', () => {
  it('exposes every upstream metric with its type and labels', async () => {
    const m = new ControllerMetrics({ gitVersion: '1.2.3' }, { processMetrics: false });
    m.sandboxCreationLatency.observe({ namespace: 'ns', launch_type: 'cold', sandbox_template: 't' }, 120);
    m.claimCreationTotal.inc({ namespace: 'ns', sandbox_template: 't', launch_type: 'warm', warmpool_name: 'p', pod_condition: 'ready', created_by: 'controller' });
    const labels = { namespace: 'ns', ready_condition: 'true', expired: 'false', launch_type: 'cold', sandbox_template: 'unknown', owned_by: 'None', created_by: 'unknown' };
    m.setSandboxesSource(() => [labels, labels, { ...labels, ready_condition: 'false' }]);
    m.observeRequest({ verb: 'create', resource: 'pods', method: 'POST', code: 201, durationMs: 3 });
    const text = (await m.expose()).body;
    for (const [name, type] of [
      ['agent_sandbox_claim_startup_latency_ms', 'histogram'], ['agent_sandbox_claim_controller_startup_latency_ms', 'histogram'],
      ['agent_sandbox_client_claim_startup_latency_ms', 'histogram'], ['agent_sandbox_creation_latency_ms', 'histogram'],
      ['agent_sandbox_claim_creation_total', 'counter'], ['agent_sandboxes', 'gauge'], ['agent_sandbox_build_info', 'gauge'],
      ['workqueue_depth', 'gauge'], ['rest_client_requests_total', 'counter'], ['controller_runtime_reconcile_total', 'counter'],
    ]) expect(text).toContain(`# TYPE ${name} ${type}`);
    expect(text).toContain('agent_sandboxes{namespace="ns",ready_condition="true",expired="false",launch_type="cold",sandbox_template="unknown",owned_by="None",created_by="unknown"} 2');
    expect(text).toMatch(/agent_sandbox_creation_latency_ms_bucket\{le="250",namespace="ns",launch_type="cold",sandbox_template="t"\} 1/);
    expect(text).toMatch(/agent_sandbox_build_info\{git_version="1.2.3",.*\} 1/);
    expect(text).toContain('rest_client_requests_total{code="201",method="POST",verb="create",resource="pods"} 1');
  });
});

describe('HTTP endpoints', () => {
  it('parses Go-style bind addresses', () => {
    expect(parseBindAddress(':8080')).toEqual({ host: undefined, port: 8080 });
    expect(parseBindAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseBindAddress('[::1]:9')).toEqual({ host: '::1', port: 9 });
    expect(parseBindAddress('0')).toBeUndefined();
    expect(() => parseBindAddress('8080x')).toThrow(/invalid bind address/);
  });
  it('serves routes, 404s the rest and turns thrown errors into 500', async () => {
    let ready = false;
    const server = (await serveRoutes('127.0.0.1:0', {
      '/readyz': () => (ready ? { code: 200, body: 'ok' } : { code: 503, body: 'not yet' }),
      '/boom': () => { throw new Error('kaput'); },
    }))!;
    const port = boundPort(server);
    expect(await get(port, '/readyz')).toEqual({ code: 503, body: 'not yet' });
    ready = true;
    expect(await get(port, '/readyz')).toEqual({ code: 200, body: 'ok' });
    expect((await get(port, '/nope')).code).toBe(404);
    expect(await get(port, '/boom')).toEqual({ code: 500, body: 'kaput\n' });
    await closeServer(server);
    expect(await serveRoutes('0', {})).toBeUndefined();
  });
});
