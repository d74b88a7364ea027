// Configuration files of the real node's components. Every path they use lives under the node's state
// directory, except the few that upstream hardcodes (see host-state.ts `foreignPaths`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { gvisorRuntimeClass } from '../../../../lib/builders/runtime-class';
import type { CertPair } from '../pki';
import type { NodeBinaries } from '../tools';
import { nodeNetwork } from './network';

export const realNodeName = 'ask-node';
/** The node runs what our gVisor RuntimeClass preset asks for: its labels, and its handler in containerd. */
const gvisorPreset = gvisorRuntimeClass();
export const realNodeLabels: Record<string, string> = { ...gvisorPreset.nodeSelector };
export const gvisorHandler = gvisorPreset.handler;
export const clusterDomain = 'cluster.local';
/** Where CNI plugins live (Debian's containernetworking-plugins). */
export const cniBinDir = '/usr/lib/cni';

/** Paths under the node's state directory. */
export function nodePaths(nodeDir: string) {
  const containerd = join(nodeDir, 'containerd');
  return {
    containerd,
    containerdConfig: join(containerd, 'config.toml'),
    containerdSocket: join(containerd, 'containerd.sock'),
    runcRoot: join(containerd, 'runc'),
    runscConfig: join(nodeDir, 'runsc', 'runsc.toml'),
    runscRoot: join(nodeDir, 'runsc', 'root'),
    runscLogs: join(nodeDir, 'runsc', 'logs'),
    cniConfDir: join(nodeDir, 'cni', 'net.d'),
    cniIpamDir: join(nodeDir, 'cni', 'ipam'),
    kubelet: join(nodeDir, 'kubelet'),
    kubeletConfig: join(nodeDir, 'kubelet', 'config.yaml'),
    kubeletKubeconfig: join(nodeDir, 'kubelet', 'kubeconfig'),
    kubeletRoot: join(nodeDir, 'kubelet', 'root'),
    kubeProxyConfig: join(nodeDir, 'kube-proxy', 'config.yaml'),
    kubeProxyKubeconfig: join(nodeDir, 'kube-proxy', 'kubeconfig'),
    corefile: join(nodeDir, 'coredns', 'Corefile'),
    corednsKubeconfig: join(nodeDir, 'coredns', 'kubeconfig'),
    /** The directories of the default StorageClass's volumes (local-volumes.ts). */
    localVolumes: join(nodeDir, 'volumes'),
  };
}
export type NodePaths = ReturnType<typeof nodePaths>;

function write(path: string, content: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

const toml = (value: string) => JSON.stringify(value);

/**
 * containerd 2 with the CRI plugin: own root, state and socket; no host config imports, NRI off (it would
 * listen on /var/run/nri), pod network namespaces under its state dir. This VM withholds CAP_SYS_RESOURCE,
 * so runc cannot give the pause container oom_score_adj -998: `restrict_oom_score_adj` clamps it.
 */
export function writeContainerdConfig(paths: NodePaths, bins: NodeBinaries, sandboxImage: string): void {
  const c = paths.containerd;
  const cri = "plugins.'io.containerd.cri.v1.runtime'";
  const runtimes = `${cri}.containerd.runtimes`;
  write(paths.containerdConfig, `version = 3
root = ${toml(join(c, 'root'))}
state = ${toml(join(c, 'state'))}
imports = [${toml(join(c, 'conf.d', '*.toml'))}]
[grpc]
  address = ${toml(paths.containerdSocket)}
[ttrpc]
  address = ${toml(`${paths.containerdSocket}.ttrpc`)}
[debug]
  address = ""
[metrics]
  address = ""
[plugins.'io.containerd.internal.v1.opt']
  path = ${toml(join(c, 'opt'))}
[plugins.'io.containerd.nri.v1.nri']
  disable = true
[plugins.'io.containerd.image-verifier.v1.bindir']
  bin_dir = ${toml(join(c, 'image-verifier'))}
[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = ${toml(sandboxImage)}
[${cri}]
  enable_selinux = false
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true
[${cri}.containerd]
  default_runtime_name = "runc"
[${runtimes}.runc]
  runtime_type = "io.containerd.runc.v2"
  runtime_path = ${toml(bins.containerdShimRunc)}
[${runtimes}.runc.options]
  SystemdCgroup = false
  Root = ${toml(paths.runcRoot)}
[${runtimes}.${gvisorHandler}]
  runtime_type = "io.containerd.runsc.v1"
  runtime_path = ${toml(bins.containerdShimRunsc)}
[${runtimes}.${gvisorHandler}.options]
  TypeUrl = "io.containerd.runsc.v1.options"
  ConfigPath = ${toml(paths.runscConfig)}
[${cri}.cni]
  bin_dirs = [${toml(cniBinDir)}]
  conf_dir = ${toml(paths.cniConfDir)}
  max_conf_num = 1
[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
`);
  // gVisor's shim options: systrap (KVM fails in nested VMs), netstack in the pod's network namespace.
  write(paths.runscConfig, `binary_name = ${toml(bins.runsc)}
root = ${toml(paths.runscRoot)}
log_path = ${toml(join(paths.runscLogs, '%ID%.shim.log'))}
[runsc_config]
  platform = "systrap"
  network = "sandbox"
`);
  const { bridge, nodeIp, podCidr, podRoutes } = nodeNetwork;
  // No gateway role (the bridge plugin would turn on global ip_forward) and no masquerade: pods get a route
  // for 198.18.0.0/15 only.
  write(join(paths.cniConfDir, '10-agent-sandbox-kit.conflist'), JSON.stringify({
    cniVersion: '0.4.0',
    name: 'agent-sandbox-kit',
    plugins: [
      {
        type: 'bridge', bridge, isGateway: false, ipMasq: false, hairpinMode: true,
        ipam: { type: 'host-local', dataDir: paths.cniIpamDir, ranges: [[{ subnet: podCidr, gateway: nodeIp }]], routes: [{ dst: podRoutes }] },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: false },
    ],
  }, null, 2));
}

export interface KubeletSettings {
  caCert: string;
  serving: CertPair;
  healthzPort: number;
}

/**
 * KubeletConfiguration for a cgroup v1 host without systemd that changes as little of the host as
 * kubelet allows: no iptables chains, no host resolver in pods, pod logs under the state directory.
 * Eviction and image GC thresholds are lowered so a well-used shared disk does not evict test pods.
 */
export function writeKubeletConfig(paths: NodePaths, settings: KubeletSettings): void {
  write(paths.kubeletConfig, stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    failSwapOn: false,
    address: nodeNetwork.nodeIp,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: settings.healthzPort,
    tlsCertFile: settings.serving.cert,
    tlsPrivateKeyFile: settings.serving.key,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: settings.caCert } },
    authorization: { mode: 'Webhook' },
    clusterDNS: [nodeNetwork.nodeIp],
    clusterDomain,
    resolvConf: '',
    podLogsDir: join(paths.kubelet, 'pod-logs'),
    volumePluginDir: join(paths.kubelet, 'volume-plugins'),
    makeIPTablesUtilChains: false,
    registerNode: true,
    serializeImagePulls: false,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '2%', 'imagefs.available': '2%' },
    imageGCHighThresholdPercent: 99,
    imageGCLowThresholdPercent: 98,
  }));
}

export interface KubeProxySettings {
  kubeconfig: string;
  healthzPort: number;
  metricsPort: number;
}

/**
 * nftables mode (its own `kube-proxy` tables). `masqueradeAll` makes a pod reaching itself through a
 * Service work without br_netfilter; conntrack settings are left as the host has them (zeros = do not set).
 */
export function writeKubeProxyConfig(paths: NodePaths, settings: KubeProxySettings): void {
  write(paths.kubeProxyConfig, stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: settings.kubeconfig },
    mode: 'nftables',
    hostnameOverride: realNodeName,
    clusterCIDR: nodeNetwork.podCidr,
    bindAddress: nodeNetwork.nodeIp,
    healthzBindAddress: `127.0.0.1:${settings.healthzPort}`,
    metricsBindAddress: `127.0.0.1:${settings.metricsPort}`,
    nodePortAddresses: [`${nodeNetwork.nodeIp}/32`],
    nftables: { masqueradeAll: true },
    // Its default (-999) needs CAP_SYS_RESOURCE, which some VMs withhold.
    oomScoreAdj: 0,
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s', udpTimeout: '0s', udpStreamTimeout: '0s' },
  }));
}

/**
 * CoreDNS on the node address: cluster names from the API server, nothing forwarded (pods reach nothing
 * outside 198.18.0.0/15 anyway). `ready` answers 200 once the Kubernetes caches are synced.
 */
export function writeCorefile(paths: NodePaths, readyPort: number): void {
  write(paths.corefile, `.:53 {
    bind ${nodeNetwork.nodeIp}
    errors
    ready 127.0.0.1:${readyPort}
    kubernetes ${clusterDomain} in-addr.arpa ip6.arpa {
        kubeconfig ${paths.corednsKubeconfig}
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
}
`);
}
