// --authz-trust-port-forward trusts exactly what `kubectl port-forward` delivers: a connection from loopback inside
// the router's own network namespace. Here the router runs in a network namespace of its own, and a "pod" in another
// one, joined by a veth pair (198.18.255.252/30, inside these two namespaces only), cannot pose as port-forwarded:
// not with headers naming loopback, and not by binding a loopback source address.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from '../harness';

const repoRoot = resolve(__dirname, '..', '..', '..');
const ROUTER_IP = '198.18.255.253';
const POD_IP = '198.18.255.254';
const VETH = `askpf${process.pid % 100000}`;
let router: ChildProcess;
let pod: ChildProcess;
let output = '';

const inNamespace = (pid: number, command: string[]) => execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, ...command], { encoding: 'utf8' });

/** Runs `fetch` from the network namespace of `pid`; the status, or the error code when no answer came. */
function request(pid: number, url: string, headers: Record<string, string> = {}, localAddress?: string): string {
  const script = `require('node:http').get(${JSON.stringify(url)}, { headers: ${JSON.stringify({ 'x-sandbox-id': 'sb', 'x-sandbox-namespace': 'team-a', ...headers })}${localAddress ? `, localAddress: '${localAddress}'` : ''} },
    (res) => { let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => console.log(res.statusCode + ' ' + body)); })
    .on('error', (err) => console.log(err.code));`;
  return inNamespace(pid, [process.execPath, '-e', script]).trim();
}

beforeAll(async () => {
  router = spawn('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, '--import', 'tsx', 'test/cluster/data-path/trusting-router.ts'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  router.stdout!.on('data', (chunk) => (output += chunk));
  pod = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
  await waitFor('router listening', async () => output.includes('listening'), { timeoutMs: 60_000, intervalMs: 200 });
  execFileSync('ip', ['link', 'add', `${VETH}r`, 'type', 'veth', 'peer', 'name', `${VETH}p`]);
  execFileSync('ip', ['link', 'set', `${VETH}r`, 'netns', String(router.pid)]);
  execFileSync('ip', ['link', 'set', `${VETH}p`, 'netns', String(pod.pid)]);
  for (const [pid, dev, ip] of [[router.pid!, `${VETH}r`, ROUTER_IP], [pod.pid!, `${VETH}p`, POD_IP]] as const) {
    inNamespace(pid, ['ip', 'addr', 'add', `${ip}/30`, 'dev', dev]);
    inNamespace(pid, ['ip', 'link', 'set', dev, 'up']);
    inNamespace(pid, ['ip', 'link', 'set', 'lo', 'up']);
  }
}, 90_000);
afterAll(() => {
  // The veth pair disappears with the namespaces, which end with their processes.
  router?.kill('SIGKILL');
  pod?.kill('SIGKILL');
});

test('a port-forwarded (loopback) connection is admitted without a token', () => {
  expect(request(router.pid!, 'http://127.0.0.1:8080/')).toBe('200 reached');
});

test('another pod cannot pose as port-forwarded: headers naming loopback do not count', () => {
  expect(request(pod.pid!, `http://${ROUTER_IP}:8080/`)).toMatch(/^401 /);
  const posing = { 'x-forwarded-for': '127.0.0.1', forwarded: 'for=127.0.0.1', 'x-real-ip': '127.0.0.1', host: '127.0.0.1:8080' };
  expect(request(pod.pid!, `http://${ROUTER_IP}:8080/`, posing)).toMatch(/^401 /);
});

test('another pod cannot pose as port-forwarded: a loopback source address never reaches the router', () => {
  // The kernel will not send a packet with a loopback source out of a real interface.
  expect(request(pod.pid!, `http://${ROUTER_IP}:8080/`, {}, '127.0.0.1')).toMatch(/^E[A-Z]+$/);
});
