// Services on the real node: a Service name resolves through the cluster DNS and reaches its pod through
// kube-proxy, and the `kubernetes` Service takes a pod's projected ServiceAccount token (in-cluster config).
import { applyServerSide, getObject, useTestNamespace } from '../harness';
import { nodeBaseRecipe } from '../images/images';
import { nodeNetwork } from '../plane/node/network';
import { applyGvisorRuntimeClass, ensureNodeImage, exec, runPod, testPod } from './pods';

const ns = useTestNamespace('network');
const client = 'client';

// What client-go's in-cluster config does: the Service host and port from the environment, the projected
// token as bearer, and the projected CA verifying the API server's certificate for that IP.
const inClusterRequest = (withToken: boolean) => `
const fs = require('fs'), https = require('https');
const sa = '/var/run/secrets/kubernetes.io/serviceaccount/';
const headers = ${withToken} ? { authorization: 'Bearer ' + fs.readFileSync(sa + 'token', 'utf8') } : {};
https.get({ host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT, path: '/api',
  ca: fs.readFileSync(sa + 'ca.crt'), headers }, (res) => {
  let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, body })));
}).on('error', (e) => { console.log(JSON.stringify({ error: e.message })); });`;

beforeAll(async () => {
  await applyServerSide([
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
  ], { namespace: ns.name });
  await runPod(ns.name, testPod('web', {
    labels: { app: 'web' },
    command: ['sh', '-c', 'mkdir -p /tmp/www && echo hello-from-web > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www'],
  }));
  // The client runs in gVisor, as sandboxes do, with Node.js (busybox's TLS cannot talk to the API server).
  await runPod(ns.name, testPod(client, {
    image: ensureNodeImage(nodeBaseRecipe), runtimeClassName: await applyGvisorRuntimeClass(), command: ['sleep', '3600'],
  }));
});

test('a Service name resolves from a pod and reaches the pod behind it', async () => {
  const service = await getObject<{ spec: { clusterIP: string } }>('service', 'web', { namespace: ns.name });
  expect(service?.spec.clusterIP).toMatch(/^198\.19\./);
  const lookup = `require('dns').promises.lookup('web.${ns.name}.svc.cluster.local').then((a) => console.log(a.address))`;
  expect(await exec(ns.name, client, ['node', '-e', lookup])).toBe(`${service!.spec.clusterIP}\n`);
  // The short name, through the pod's search path, over the ClusterIP.
  const get = "fetch('http://web/').then((r) => r.text()).then((t) => process.stdout.write(t))";
  expect(await exec(ns.name, client, ['node', '-e', get])).toBe('hello-from-web\n');
});

test("in-cluster config works: the kubernetes Service verifies as the API server and takes the pod's token", async () => {
  expect(await exec(ns.name, client, ['sh', '-c', 'echo $KUBERNETES_SERVICE_HOST'])).toBe(`${nodeNetwork.kubernetesServiceIp}\n`);
  const withToken = JSON.parse(await exec(ns.name, client, ['node', '-e', inClusterRequest(true)]));
  expect(withToken.status).toBe(200);
  expect(JSON.parse(withToken.body).kind).toBe('APIVersions');
  // Without the token the API server refuses discovery: the token is what authenticated the pod.
  const anonymous = JSON.parse(await exec(ns.name, client, ['node', '-e', inClusterRequest(false)]));
  expect(anonymous.status).toBe(403);
});
