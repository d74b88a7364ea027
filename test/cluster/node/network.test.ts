// Services on the real node: a Service name resolves through the cluster DNS and reaches its pod through
// kube-proxy, and the `kubernetes` Service takes a pod's projected ServiceAccount token (in-cluster config).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { parse } from 'yaml';
import { adminKubeconfig, applyServerSide, getObject, useTestNamespace } from '../harness';
import { nodeNetwork } from '../plane/node/network';
import { applyGvisorRuntimeClass, exec, runPod, testPod } from './pods';

const ns = useTestNamespace('network');
const client = 'client';

beforeAll(async () => {
  await applyServerSide([
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
  ], { namespace: ns.name });
  await runPod(ns.name, testPod('web', {
    labels: { app: 'web' },
    command: ['sh', '-c', 'mkdir -p /tmp/www && echo hello-from-web > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www'],
  }));
  // The client runs in gVisor, as sandboxes do.
  await runPod(ns.name, testPod(client, { runtimeClassName: await applyGvisorRuntimeClass(), command: ['sleep', '3600'] }));
});

test('a Service name resolves from a pod and reaches the pod behind it', async () => {
  const service = await getObject<{ spec: { clusterIP: string } }>('service', 'web', { namespace: ns.name });
  expect(service?.spec.clusterIP).toMatch(/^198\.19\./);
  const lookup = await exec(ns.name, client, ['nslookup', `web.${ns.name}.svc.cluster.local`]);
  expect(lookup).toContain(service!.spec.clusterIP);
  // The short name, through the pod's search path, over the ClusterIP.
  expect(await exec(ns.name, client, ['wget', '-qO-', '-T', '5', 'http://web/'])).toBe('hello-from-web\n');
});

test("the kubernetes Service accepts the pod's projected ServiceAccount token", async () => {
  const url = 'https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api';
  const token = '$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)';
  const api = JSON.parse(await exec(ns.name, client, ['sh', '-c', `wget -qO- -T 5 --header "Authorization: Bearer ${token}" ${url}`]));
  expect(api.kind).toBe('APIVersions');
  expect(await exec(ns.name, client, ['sh', '-c', 'echo $KUBERNETES_SERVICE_HOST'])).toBe(`${nodeNetwork.kubernetesServiceIp}\n`);
  // Without the token the API server refuses discovery: the token is what authenticated the pod.
  await expect(exec(ns.name, client, ['sh', '-c', `wget -qO- -T 5 ${url}`])).rejects.toThrow(/40[13]/);
});

// busybox's wget does not verify certificates; this checks what a client-go in-cluster config verifies.
test("the API server's certificate is valid for the kubernetes Service's name and ClusterIP", async () => {
  const { cluster } = parse(readFileSync(adminKubeconfig(), 'utf8')).clusters[0];
  const server = new URL(cluster.server);
  const certificate = await new Promise<X509Certificate>((resolve, reject) => {
    const socket = connect({
      host: server.hostname, port: Number(server.port), servername: 'kubernetes.default.svc',
      ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    }, () => {
      resolve(new X509Certificate(socket.getPeerCertificate().raw));
      socket.end();
    });
    socket.on('error', reject);
  });
  expect(certificate.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc');
  expect(certificate.checkIP(nodeNetwork.kubernetesServiceIp)).toBe(nodeNetwork.kubernetesServiceIp);
});
