// Brings the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
// kwok + fake nodes) up or down for this checkout. State lives in .cluster/ (git-ignored): the admin
// kubeconfig, logs, PKI and state.json with the ports and pids we started. A healthy running plane
// is reused; `clusterDown` stops only the recorded pids.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { ComponentName, componentOrder, componentSpecs, fakeNodeAnnotation, PlaneLayout, PlanePorts } from './components';
import { httpCall, isHealthy, TlsOptions } from './http';
import { writeKubeconfig } from './kubeconfig';
import { withLock } from './lock';
import { ensurePki, Pki } from './pki';
import { freePorts } from './ports';
import { isRunning, startDetached, stopProcess } from './processes';
import { controlPlaneBinaries } from './tools';

export interface Plane {
  /** Admin (system:masters) kubeconfig. */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Loopback CIDR kwok takes pod IPs from. */
  podCidr: string;
  /** True when an already running plane was reused. */
  reused: boolean;
}

interface PlaneState {
  ports: PlanePorts;
  podCidr: string;
  processes: Partial<Record<ComponentName, { pid: number; bin: string }>>;
}

/** Where the plane of this checkout keeps its state (override: ASK_CLUSTER_DIR). */
export const clusterDir = resolve(process.env.ASK_CLUSTER_DIR ?? join(__dirname, '..', '..', '..', '.cluster'));
const statePath = join(clusterDir, 'state.json');
const kubeconfigPath = join(clusterDir, 'kubeconfig');
const fakeNodeCount = Number(process.env.ASK_CLUSTER_NODES ?? 3);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readState(): PlaneState | undefined {
  return existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as PlaneState) : undefined;
}

function adminTls(pki: Pki): TlsOptions {
  return { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) };
}

/** Per-checkout /16 inside 127.0.0.0/8, so planes of different checkouts hand out distinct pod IPs. */
function podCidrFor(dir: string): string {
  const octet = 20 + (createHash('sha256').update(dir).digest().readUInt16BE(0) % 200);
  return `127.${octet}.0.0/16`;
}

async function planeIsHealthy(state: PlaneState, pki: Pki): Promise<boolean> {
  const allRunning = componentOrder.every((name) => {
    const proc = state.processes[name];
    return proc !== undefined && isRunning(proc.pid, proc.bin);
  });
  return allRunning && isHealthy(`https://127.0.0.1:${state.ports.apiserver}/readyz`, adminTls(pki));
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, logHint: string): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    if (await check()) return;
  }
  throw new Error(`local control plane: ${what} not ready after ${timeoutMs / 1000}s; see ${logHint}`);
}

function fakeNode(index: number): object {
  const name = `kwok-node-${index}`;
  const resources = { cpu: '64', memory: '512Gi', pods: '1000' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { type: 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
      annotations: { [fakeNodeAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    status: { allocatable: resources, capacity: resources },
  };
}

async function createFakeNodes(server: string, tls: TlsOptions): Promise<void> {
  for (let i = 0; i < fakeNodeCount; i++) {
    const res = await httpCall(`${server}/api/v1/nodes`, { method: 'POST', body: fakeNode(i), tls });
    if (res.status !== 201 && res.status !== 409) throw new Error(`creating fake node ${i}: HTTP ${res.status} ${res.body}`);
  }
}

async function fakeNodesReady(server: string, tls: TlsOptions): Promise<boolean> {
  const res = await httpCall(`${server}/api/v1/nodes?labelSelector=type%3Dkwok`, { tls });
  if (res.status !== 200) return false;
  const nodes = JSON.parse(res.body).items as { status?: { conditions?: { type: string; status: string }[] } }[];
  const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  return ready.length >= fakeNodeCount;
}

async function start(): Promise<Plane> {
  const bins = controlPlaneBinaries();
  const pki = ensurePki(join(clusterDir, 'pki'));
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok] = await freePorts(6);
  const layout: PlaneLayout = {
    dir: clusterDir,
    kubeconfig: kubeconfigPath,
    pki,
    ports: { etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok },
    podCidr: podCidrFor(clusterDir),
  };
  const server = `https://127.0.0.1:${apiserver}`;
  rmSync(join(clusterDir, 'etcd'), { recursive: true, force: true });
  const caData = readFileSync(pki.caCert).toString('base64');
  writeKubeconfig(kubeconfigPath, { server, caData }, 'admin', { clientCertFile: pki.adminCert, clientKeyFile: pki.adminKey });
  const specs = componentSpecs(bins, layout);
  const state: PlaneState = { ports: layout.ports, podCidr: layout.podCidr, processes: {} };
  const tls = adminTls(pki);
  const launch = (name: ComponentName) => {
    const { bin, args } = specs[name];
    state.processes[name] = { pid: startDetached(bin, args, join(clusterDir, `${name}.log`)), bin };
    writeFileSync(statePath, JSON.stringify(state, null, 2));
  };
  const healthy = (name: ComponentName) => () =>
    isHealthy(specs[name].health.url, specs[name].health.selfSigned ? { insecure: true } : tls);
  const log = (name: ComponentName) => join(clusterDir, `${name}.log`);

  launch('etcd');
  await waitUntil('etcd', healthy('etcd'), 30_000, log('etcd'));
  launch('kube-apiserver');
  await waitUntil('kube-apiserver', healthy('kube-apiserver'), 90_000, log('kube-apiserver'));
  launch('kube-controller-manager');
  launch('kube-scheduler');
  launch('kwok');
  await createFakeNodes(server, tls);
  for (const name of ['kube-controller-manager', 'kube-scheduler', 'kwok'] as const) {
    await waitUntil(name, healthy(name), 60_000, log(name));
  }
  await waitUntil('fake nodes (kwok)', () => fakeNodesReady(server, tls), 60_000, log('kwok'));
  // The ServiceAccount controller creating `default` proves the controller-manager is reconciling.
  await waitUntil('default ServiceAccount (kube-controller-manager)', async () =>
    (await httpCall(`${server}/api/v1/namespaces/default/serviceaccounts/default`, { tls })).status === 200,
  60_000, log('kube-controller-manager'));
  return { kubeconfig: kubeconfigPath, server, podCidr: layout.podCidr, reused: false };
}

async function stopRecorded(state: PlaneState): Promise<void> {
  for (const name of [...componentOrder].reverse()) {
    const proc = state.processes[name];
    if (proc) await stopProcess(proc.pid, proc.bin);
  }
  rmSync(statePath, { force: true });
}

/** Starts the plane, or reuses this checkout's running healthy one. Failure throws with the log to read. */
export async function clusterUp(): Promise<Plane> {
  mkdirSync(clusterDir, { recursive: true });
  return withLock(join(clusterDir, 'lock'), async () => {
    const state = readState();
    if (state) {
      const pki = ensurePki(join(clusterDir, 'pki'));
      if (await planeIsHealthy(state, pki)) {
        return { kubeconfig: kubeconfigPath, server: `https://127.0.0.1:${state.ports.apiserver}`, podCidr: state.podCidr, reused: true };
      }
      await stopRecorded(state);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await start();
      } catch (error) {
        const partial = readState();
        if (partial) await stopRecorded(partial);
        // Ports are picked free but bound later; another plane on this machine may take one in between.
        if (attempt >= 2 || !lostPortRace()) throw error;
      }
    }
  });
}

function lostPortRace(): boolean {
  return componentOrder.some((name) => {
    const log = join(clusterDir, `${name}.log`);
    return existsSync(log) && readFileSync(log, 'utf8').includes('address already in use');
  });
}

/** Stops the processes this checkout's `clusterUp` started (nothing else). */
export async function clusterDown(): Promise<void> {
  if (!existsSync(clusterDir)) return;
  await withLock(join(clusterDir, 'lock'), async () => {
    const state = readState();
    if (state) await stopRecorded(state);
  });
}
