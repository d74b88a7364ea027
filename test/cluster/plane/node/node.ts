// The plane's real node: containerd (runc + gVisor), kubelet, kube-proxy, CoreDNS and a volume provisioner as plain processes
// on this host, their state under `<plane>/node/`, their logs beside the plane's. `prepareHost` records the
// host's state and creates the bridge before the API server binds to it; `startNode` brings the node up
// once the control plane runs; `teardownNode` puts the host back as the baseline recorded it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ImageArchive, importImages } from '../../images/images';
import { httpCall, isHealthy, TlsOptions } from '../http';
import { writeKubeconfig } from '../kubeconfig';
import { CertPair, ensureClientCert, ensureServingCert, Pki } from '../pki';
import { freePorts } from '../ports';
import { isRunning, startDetached, stopProcess } from '../processes';
import { NodeBinaries } from '../tools';
import { waitUntil } from '../wait';
import {
  clusterDomain, nodePaths, realNodeLabels, realNodeName, writeContainerdConfig, writeCorefile, writeKubeletConfig,
  writeKubeProxyConfig,
} from './configs';
import { applyFirewall, bridgeExists, createBridge, nodeNetwork } from './network';
import { LOCAL_STORAGE_CLASS, LOCAL_VOLUMES_PROVISIONER, LOCAL_VOLUMES_READY, localVolumesEnv } from './local-volumes';
import { captureHostState, HostState } from './host-state';
import { restoreHost } from './teardown';

const run = promisify(execFile);

export type NodeComponent = 'containerd' | 'kubelet' | 'kube-proxy' | 'coredns' | 'local-volumes';
/** Start order; teardown stops them in reverse (kubelet first is handled by teardown itself). */
const nodeComponents: NodeComponent[] = ['containerd', 'kubelet', 'kube-proxy', 'coredns', 'local-volumes'];

interface NodeState {
  processes: Partial<Record<NodeComponent, { pid: number; bin: string }>>;
  ports: { kubeletHealthz: number; kubeProxyHealthz: number; kubeProxyMetrics: number; dnsReady: number };
}

/** The control plane a node joins. */
export interface NodePlane {
  dir: string;
  server: string;
  pki: Pki;
  adminTls: TlsOptions;
}

/** Images containerd needs before kubelet starts: the pod sandbox image and OCI archives to import. */
export interface NodeImages {
  sandbox: string;
  archives: ImageArchive[];
}

export const nodeDir = (planeDir: string) => join(planeDir, 'node');
export const baselinePath = (planeDir: string) => join(planeDir, 'node-baseline.json');
const statePath = (planeDir: string) => join(planeDir, 'node-state.json');
export const componentLog = (planeDir: string, name: NodeComponent) => join(planeDir, `${name}.log`);

export function readBaseline(planeDir: string): HostState | undefined {
  const path = baselinePath(planeDir);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as HostState) : undefined;
}

export function readNodeState(planeDir: string): NodeState | undefined {
  const path = statePath(planeDir);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as NodeState) : undefined;
}

/** Runs one step of bring-up; a failure names the step and the log to read. */
async function step<T>(name: string, log: string, body: () => T | Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw new Error(`real node: ${name} failed: ${(error as Error).message.trim()}; see ${log}`);
  }
}


/**
 * Before anything else: checks this host can take a real node, records the baseline (kept from an earlier
 * bring-up that was not torn down), then creates the bridge and our firewall table.
 */
export function prepareHost(planeDir: string, apiserverPort: number): void {
  if (process.getuid?.() !== 0) {
    throw new Error('real node: needs root (it creates a bridge, mounts and cgroups); run as root or use the kwok plane (npm run cluster:up)');
  }
  if (!existsSync(baselinePath(planeDir))) {
    if (bridgeExists()) {
      throw new Error(`real node: bridge ${nodeNetwork.bridge} already exists but this checkout (${planeDir}) did not record creating it; ` +
        'another checkout runs a real node on this machine (one per machine): run `npm run cluster:down` there');
    }
    writeFileSync(baselinePath(planeDir), JSON.stringify(captureHostState(), null, 2));
  }
  createBridge();
  applyFirewall(apiserverPort);
}

function kubeconfigFor(plane: NodePlane, path: string, user: string, pair: CertPair): string {
  mkdirSync(dirname(path), { recursive: true });
  writeKubeconfig(path, { server: plane.server, caData: readFileSync(plane.pki.caCert).toString('base64') }, user,
    { clientCertFile: pair.cert, clientKeyFile: pair.key });
  return path;
}

async function createIfAbsent(plane: NodePlane, path: string, object: object): Promise<void> {
  const res = await httpCall(`${plane.server}${path}`, { method: 'POST', body: object, tls: plane.adminTls });
  if (res.status !== 201 && res.status !== 409) throw new Error(`creating ${path}: HTTP ${res.status} ${res.body}`);
}

/** Identities of the node's components that the API server's default RBAC does not cover. */
export const apiserverKubeletClientUser = 'agent-sandbox-kit:apiserver-kubelet-client';
const dnsUser = 'agent-sandbox-kit:local-dns';
const localVolumesUser = 'agent-sandbox-kit:local-volumes';

/** Cluster objects the node needs: RBAC for the API server's kubelet client, DNS and the volume provisioner, a default StorageClass. */
async function createClusterObjects(plane: NodePlane): Promise<void> {
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  const binding = (name: string, role: string, user: string) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  });
  await createIfAbsent(plane, `${rbac}/clusterrolebindings`,
    binding(apiserverKubeletClientUser, 'system:kubelet-api-admin', apiserverKubeletClientUser));
  await createIfAbsent(plane, `${rbac}/clusterroles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: dnsUser },
    rules: [
      { apiGroups: [''], resources: ['services', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  });
  await createIfAbsent(plane, `${rbac}/clusterrolebindings`, binding(dnsUser, dnsUser, dnsUser));
  await createIfAbsent(plane, `${rbac}/clusterroles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: localVolumesUser },
    rules: [
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list'] },
      { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['list', 'create', 'delete'] },
    ],
  });
  await createIfAbsent(plane, `${rbac}/clusterrolebindings`, binding(localVolumesUser, localVolumesUser, localVolumesUser));
  await createIfAbsent(plane, '/apis/storage.k8s.io/v1/storageclasses', {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: LOCAL_STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: LOCAL_VOLUMES_PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate',
  });
}

async function nodeReady(plane: NodePlane): Promise<boolean> {
  const res = await httpCall(`${plane.server}/api/v1/nodes/${realNodeName}`, { tls: plane.adminTls });
  if (res.status !== 200) return false;
  const conditions = (JSON.parse(res.body).status?.conditions ?? []) as { type: string; status: string }[];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** True when every node process runs and the Node is Ready. */
export async function nodeIsHealthy(plane: NodePlane): Promise<boolean> {
  const state = readNodeState(plane.dir);
  if (!state) return false;
  const running = nodeComponents.every((name) => {
    const proc = state.processes[name];
    return proc !== undefined && isRunning(proc.pid, proc.bin);
  });
  return running && nodeReady(plane);
}

async function ctr(bins: NodeBinaries, socket: string, args: string[]): Promise<string> {
  return (await run(bins.ctr, ['--address', socket, ...args])).stdout;
}

/** Starts containerd, kubelet, kube-proxy, CoreDNS and the volume provisioner and waits until each is ready. */
export async function startNode(plane: NodePlane, bins: NodeBinaries, images: NodeImages): Promise<void> {
  const dir = nodeDir(plane.dir);
  const paths = nodePaths(dir);
  mkdirSync(dir, { recursive: true });
  const [kubeletHealthz, kubeProxyHealthz, kubeProxyMetrics, dnsReady] = await freePorts(4);
  const state: NodeState = { processes: {}, ports: { kubeletHealthz, kubeProxyHealthz, kubeProxyMetrics, dnsReady } };
  const log = (name: NodeComponent) => componentLog(plane.dir, name);
  // Node tools find runc, nft and the CNI plugins' helpers on a root PATH whatever the caller's PATH is.
  const env = { ...process.env, PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` };
  const launch = (name: NodeComponent, bin: string, args: string[], processEnv = env) => {
    state.processes[name] = { pid: startDetached(bin, args, log(name), processEnv), bin };
    writeFileSync(statePath(plane.dir), JSON.stringify(state, null, 2));
  };

  await step('start containerd', log('containerd'), async () => {
    writeContainerdConfig(paths, bins, images.sandbox);
    launch('containerd', bins.containerd, ['--config', paths.containerdConfig]);
    await waitUntil('containerd', async () => {
      try {
        await ctr(bins, paths.containerdSocket, ['version']);
        return true;
      } catch {
        return false;
      }
    }, 30_000);
  });
  await step('import images into containerd', log('containerd'), () => importImages(paths.containerdSocket, images.archives, bins.ctr));

  await step('start kubelet', log('kubelet'), async () => {
    const pki = join(dir, 'pki');
    mkdirSync(pki, { recursive: true });
    const client = ensureClientCert(plane.pki, 'node-client', `/O=system:nodes/CN=system:node:${realNodeName}`);
    const serving = ensureServingCert(plane.pki, 'node-serving', `/CN=system:node:${realNodeName}`, [nodeNetwork.nodeIp], [realNodeName]);
    kubeconfigFor(plane, paths.kubeletKubeconfig, `system:node:${realNodeName}`, client);
    writeKubeletConfig(paths, { caCert: plane.pki.caCert, serving, healthzPort: kubeletHealthz });
    launch('kubelet', bins.kubelet, [
      `--config=${paths.kubeletConfig}`, `--kubeconfig=${paths.kubeletKubeconfig}`, `--root-dir=${paths.kubeletRoot}`,
      `--cert-dir=${pki}`, `--hostname-override=${realNodeName}`, `--node-ip=${nodeNetwork.nodeIp}`,
      `--node-labels=${Object.entries(realNodeLabels).map(([k, v]) => `${k}=${v}`).join(',')}`, '--v=1',
    ]);
    await waitUntil(`Node ${realNodeName} Ready`, () => nodeReady(plane), 60_000);
  });

  await step('start kube-proxy', log('kube-proxy'), async () => {
    const client = ensureClientCert(plane.pki, 'kube-proxy', '/CN=system:kube-proxy');
    const kubeconfig = kubeconfigFor(plane, paths.kubeProxyKubeconfig, 'system:kube-proxy', client);
    writeKubeProxyConfig(paths, { kubeconfig, healthzPort: kubeProxyHealthz, metricsPort: kubeProxyMetrics });
    launch('kube-proxy', bins.kubeProxy, [`--config=${paths.kubeProxyConfig}`, '--v=1']);
    await waitUntil('kube-proxy', () => isHealthy(`http://127.0.0.1:${kubeProxyHealthz}/healthz`), 60_000);
  });

  await step('start CoreDNS', log('coredns'), async () => {
    const client = ensureClientCert(plane.pki, 'local-dns', `/CN=${dnsUser}`);
    kubeconfigFor(plane, paths.corednsKubeconfig, dnsUser, client);
    writeCorefile(paths, dnsReady);
    launch('coredns', bins.coredns, ['-conf', paths.corefile]);
    await waitUntil(`CoreDNS (${clusterDomain})`, () => isHealthy(`http://127.0.0.1:${dnsReady}/ready`), 60_000);
  });

  await step('start the local volume provisioner', log('local-volumes'), async () => {
    const client = ensureClientCert(plane.pki, 'local-volumes', `/CN=${localVolumesUser}`);
    const settings = {
      [localVolumesEnv.server]: plane.server, [localVolumesEnv.ca]: plane.pki.caCert, [localVolumesEnv.cert]: client.cert,
      [localVolumesEnv.key]: client.key, [localVolumesEnv.dir]: paths.localVolumes, [localVolumesEnv.node]: realNodeName,
    };
    // Node.js with tsx's loader, so the provisioner runs from its TypeScript source like the rest of the plane.
    launch('local-volumes', process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(__dirname, 'local-volumes.ts')], { ...env, ...settings });
    await waitUntil('the local volume provisioner', async () => readFileSync(log('local-volumes'), 'utf8').includes(LOCAL_VOLUMES_READY), 60_000);
  });
}

/** Cluster objects first (they need only the API server), then the node. */
export async function joinNode(plane: NodePlane, bins: NodeBinaries, images: NodeImages): Promise<void> {
  await step('create cluster objects for the node', join(plane.dir, 'kube-apiserver.log'), () => createClusterObjects(plane));
  await startNode(plane, bins, images);
}

/**
 * Stops the node and restores the host to its baseline; idempotent, and safe when the node never fully
 * started. `stopPlane` runs once the node's pods and processes are gone and before the bridge the API
 * server listens on is removed. Throws after trying every step, naming each failed step and its log.
 */
export async function teardownNode(plane: NodePlane | undefined, planeDir: string, stopPlane: () => Promise<void>): Promise<void> {
  const state = readNodeState(planeDir);
  const stopRecorded = async (name: NodeComponent) => {
    const proc = state?.processes[name];
    if (proc) await stopProcess(proc.pid, proc.bin, 30_000);
  };
  await restoreHost({
    planeDir,
    nodeDir: nodeDir(planeDir),
    baseline: readBaseline(planeDir),
    plane: plane && state?.processes.kubelet && isRunning(state.processes.kubelet.pid, state.processes.kubelet.bin) ? plane : undefined,
    stopComponent: stopRecorded,
    stopPlane,
    log: (name) => componentLog(planeDir, name),
  });
  rmSync(statePath(planeDir), { force: true });
  rmSync(baselinePath(planeDir), { force: true });
}
