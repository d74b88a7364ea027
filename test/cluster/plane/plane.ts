// Brings the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
// kwok + fake nodes) up or down for this checkout. State lives in .cluster/ (git-ignored): the admin
// kubeconfig, logs, PKI and state.json with the ports and pids we started. A healthy running plane
// is reused; `clusterDown` stops only the recorded pids.
// `clusterUp({ realNode: true })` starts a second, separate plane in .cluster-node/ with no kwok but a real
// node (node/node.ts) whose teardown restores the host; both planes can run at once.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import {
  ComponentName, componentOrder, componentSpecs, fakeNodeAnnotation, PlaneLayout, PlanePorts, realNodeComponentOrder,
} from './components';
import { httpCall, isHealthy, TlsOptions } from './http';
import { writeKubeconfig } from './kubeconfig';
import { withLock } from './lock';
import { ensureClientCert, ensurePki, Pki } from './pki';
import { freePorts } from './ports';
import { isRunning, startDetached, stopProcess } from './processes';
import { controlPlaneBinaries, nodeBinaries } from './tools';
import { waitUntil } from './wait';
import { buildImage, busyboxRecipe, pauseRecipe, PAUSE_IMAGE } from '../images/images';
import { apiserverKubeletClientUser, joinNode, NodePlane, nodeIsHealthy, prepareHost, readBaseline, teardownNode } from './node/node';
import { nodeNetwork } from './node/network';
import { realNodeName } from './node/configs';

export interface Plane {
  /** Admin (system:masters) kubeconfig. */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Loopback CIDR kwok takes pod IPs from. */
  podCidr: string;
  /** True when an already running plane was reused. */
  reused: boolean;
  /** The real node's name, when the plane runs one (`clusterUp({ realNode: true })`). */
  node?: string;
}

export interface PlaneOptions {
  /**
   * The plane with a real node (containerd, runc, gVisor, kubelet, kube-proxy, CoreDNS) in .cluster-node/
   * instead of the kwok plane in .cluster/. Needs root; one per machine.
   * @default false
   */
  realNode?: boolean;
}

/** One plane's directory and kind; the kwok plane and the real-node plane never share state. */
interface Site {
  dir: string;
  realNode: boolean;
}

interface PlaneState {
  ports: PlanePorts;
  podCidr: string;
  processes: Partial<Record<ComponentName, { pid: number; bin: string }>>;
}

/** Where the kwok plane of this checkout keeps its state (override: ASK_CLUSTER_DIR). */
export const clusterDir = resolve(process.env.ASK_CLUSTER_DIR ?? join(__dirname, '..', '..', '..', '.cluster'));
/** Where the real-node plane of this checkout keeps its state (override: ASK_NODE_CLUSTER_DIR). */
export const realNodeClusterDir = resolve(process.env.ASK_NODE_CLUSTER_DIR ?? join(__dirname, '..', '..', '..', '.cluster-node'));
const sites: Site[] = [{ dir: clusterDir, realNode: false }, { dir: realNodeClusterDir, realNode: true }];
const statePath = (site: Site) => join(site.dir, 'state.json');
const kubeconfigPath = (site: Site) => join(site.dir, 'kubeconfig');
const pkiDir = (site: Site) => join(site.dir, 'pki');
const fakeNodeCount = Number(process.env.ASK_CLUSTER_NODES ?? 3);


function readState(site: Site): PlaneState | undefined {
  return existsSync(statePath(site)) ? (JSON.parse(readFileSync(statePath(site), 'utf8')) as PlaneState) : undefined;
}

const orderOf = (site: Site) => (site.realNode ? realNodeComponentOrder : componentOrder);
const apiserverHost = (site: Site) => (site.realNode ? nodeNetwork.nodeIp : '127.0.0.1');
const serverOf = (site: Site, state: PlaneState) => `https://${apiserverHost(site)}:${state.ports.apiserver}`;

/** The API server listens on the bridge too: its serving cert names that and the `kubernetes` ClusterIP. */
function sitePki(site: Site): Pki {
  return ensurePki(pkiDir(site), site.realNode ? { servingIps: [nodeNetwork.nodeIp, nodeNetwork.kubernetesServiceIp] } : {});
}

function nodePlane(site: Site, server: string, pki: Pki): NodePlane {
  return { dir: site.dir, server, pki, adminTls: adminTls(pki) };
}

function adminTls(pki: Pki): TlsOptions {
  return { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) };
}

/** Per-checkout /16 inside 127.0.0.0/8, so planes of different checkouts hand out distinct pod IPs. */
function podCidrFor(dir: string): string {
  const octet = 20 + (createHash('sha256').update(dir).digest().readUInt16BE(0) % 200);
  return `127.${octet}.0.0/16`;
}

async function planeIsHealthy(site: Site, state: PlaneState, pki: Pki): Promise<boolean> {
  const allRunning = orderOf(site).every((name) => {
    const proc = state.processes[name];
    return proc !== undefined && isRunning(proc.pid, proc.bin);
  });
  const server = serverOf(site, state);
  return allRunning && await isHealthy(`${server}/readyz`, adminTls(pki)) &&
    (site.realNode ? nodeIsHealthy(nodePlane(site, server, pki)) : await fakeNodesReady(server, adminTls(pki)));
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logHint: string): Promise<void> {
  await waitUntil(what, check, timeoutMs).catch((error: Error) => {
    throw new Error(`local control plane: ${error.message}; see ${logHint}`);
  });
}

/**
 * What each fake node offers. Ephemeral storage too: the kit's Deployments request it, and a node without it
 * leaves their pods Pending ("Insufficient ephemeral-storage"), so `pulumi up` waited for them forever.
 */
const fakeNodeResources = { cpu: '64', memory: '512Gi', 'ephemeral-storage': '1Ti', pods: '1000' };

function fakeNode(index: number): object {
  const name = `kwok-node-${index}`;
  const resources = fakeNodeResources;
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
  type FakeNode = { status?: { allocatable?: Record<string, string>; conditions?: { type: string; status: string }[] } };
  const nodes = JSON.parse(res.body).items as FakeNode[];
  // Nodes of a plane started before fakeNodeResources gained a resource lack it: not ours, so not ready.
  const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
    Object.keys(fakeNodeResources).every((resource) => n.status?.allocatable?.[resource] !== undefined));
  return ready.length >= fakeNodeCount;
}

function planeResult(site: Site, server: string, podCidr: string, reused: boolean): Plane {
  return { kubeconfig: kubeconfigPath(site), server, podCidr, reused, ...(site.realNode ? { node: realNodeName } : {}) };
}

async function start(site: Site): Promise<Plane> {
  const { dir, realNode } = site;
  const bins = controlPlaneBinaries();
  const nodeBins = realNode ? nodeBinaries() : undefined;
  // Before anything starts (a cache hit costs a hash): a failed image build is not a failed plane.
  const images = realNode ? { sandbox: PAUSE_IMAGE, archives: [buildImage(pauseRecipe), buildImage(busyboxRecipe)] } : undefined;
  const pki = sitePki(site);
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok] = await freePorts(6);
  // The bridge must exist before the API server binds to its address.
  if (realNode) prepareHost(dir, apiserver);
  const layout: PlaneLayout = {
    dir,
    kubeconfig: kubeconfigPath(site),
    pki,
    ports: { etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwok },
    podCidr: realNode ? nodeNetwork.podCidr : podCidrFor(dir),
    ...(realNode ? {
      realNode: {
        address: nodeNetwork.nodeIp,
        serviceCidr: nodeNetwork.serviceCidr,
        kubeletClient: ensureClientCert(pki, 'apiserver-kubelet-client', `/CN=${apiserverKubeletClientUser}`),
      },
    } : {}),
  };
  const server = `https://${apiserverHost(site)}:${apiserver}`;
  rmSync(join(dir, 'etcd'), { recursive: true, force: true });
  const caData = readFileSync(pki.caCert).toString('base64');
  writeKubeconfig(kubeconfigPath(site), { server, caData }, 'admin', { clientCertFile: pki.adminCert, clientKeyFile: pki.adminKey });
  const specs = componentSpecs(bins, layout);
  const state: PlaneState = { ports: layout.ports, podCidr: layout.podCidr, processes: {} };
  const tls = adminTls(pki);
  const launch = (name: ComponentName) => {
    const { bin, args } = specs[name];
    state.processes[name] = { pid: startDetached(bin, args, join(dir, `${name}.log`)), bin };
    writeFileSync(statePath(site), JSON.stringify(state, null, 2));
  };
  const healthy = (name: ComponentName) => () =>
    isHealthy(specs[name].health.url, specs[name].health.selfSigned ? { insecure: true } : tls);
  const log = (name: ComponentName) => join(dir, `${name}.log`);

  launch('etcd');
  await waitFor('etcd', healthy('etcd'), 30_000, log('etcd'));
  launch('kube-apiserver');
  await waitFor('kube-apiserver', healthy('kube-apiserver'), 90_000, log('kube-apiserver'));
  const rest = orderOf(site).slice(2);
  rest.forEach(launch);
  if (!realNode) await createFakeNodes(server, tls);
  for (const name of rest) await waitFor(name, healthy(name), 60_000, log(name));
  if (!realNode) await waitFor('fake nodes (kwok)', () => fakeNodesReady(server, tls), 60_000, log('kwok'));
  // The ServiceAccount controller creating `default` proves the controller-manager is reconciling.
  await waitFor('default ServiceAccount (kube-controller-manager)', async () =>
    (await httpCall(`${server}/api/v1/namespaces/default/serviceaccounts/default`, { tls })).status === 200,
  60_000, log('kube-controller-manager'));
  if (nodeBins && images) await joinNode(nodePlane(site, server, pki), nodeBins, images);
  return planeResult(site, server, layout.podCidr, false);
}

async function stopPlaneProcesses(site: Site, state: PlaneState | undefined): Promise<void> {
  for (const name of [...orderOf(site)].reverse()) {
    const proc = state?.processes[name];
    if (proc) await stopProcess(proc.pid, proc.bin);
  }
  rmSync(statePath(site), { force: true });
}

/** Stops what the site started; for the real-node plane, the node first and the host restored to its baseline. */
async function stopSite(site: Site): Promise<void> {
  const state = readState(site);
  if (!site.realNode) return stopPlaneProcesses(site, state);
  if (!state && !readBaseline(site.dir)) return;
  const plane = state ? nodePlane(site, serverOf(site, state), sitePki(site)) : undefined;
  await teardownNode(plane, site.dir, () => stopPlaneProcesses(site, state));
}

/**
 * Starts the plane (with `realNode`, the real-node plane), or reuses this checkout's running healthy one.
 * Failure throws with the log to read; a real node that failed to start is torn down again.
 */
export async function clusterUp(options: PlaneOptions = {}): Promise<Plane> {
  const site = sites.find((s) => s.realNode === (options.realNode ?? false))!;
  mkdirSync(site.dir, { recursive: true });
  return withLock(join(site.dir, 'lock'), async () => {
    const state = readState(site);
    if (state) {
      const pki = sitePki(site);
      if (await planeIsHealthy(site, state, pki)) return planeResult(site, serverOf(site, state), state.podCidr, true);
    }
    // Whatever is left of an earlier run (a plane restart would strand a running kubelet, see stopSite).
    await stopSite(site);
    for (let attempt = 1; ; attempt++) {
      try {
        return await start(site);
      } catch (error) {
        const lost = lostPortRace(site);
        await stopSite(site).catch((teardownError: Error) => {
          throw new Error(`${(error as Error).message}\nand cleaning up failed: ${teardownError.message}`);
        });
        // Ports are picked free but bound later; another plane on this machine may take one in between.
        if (attempt >= 2 || !lost) throw error;
      }
    }
  });
}

function lostPortRace(site: Site): boolean {
  return orderOf(site).some((name) => {
    const log = join(site.dir, `${name}.log`);
    return existsSync(log) && readFileSync(log, 'utf8').includes('address already in use');
  });
}

/**
 * Stops the processes this checkout's `clusterUp` started (nothing else): the kwok plane, and the real-node
 * plane with its node, restoring the host to the baseline recorded before the node started.
 */
export async function clusterDown(options: { only?: 'kwok' | 'real-node' } = {}): Promise<void> {
  for (const site of sites) {
    if (options.only && (options.only === 'real-node') !== site.realNode) continue;
    if (!existsSync(site.dir)) continue;
    await withLock(join(site.dir, 'lock'), () => stopSite(site));
  }
}
