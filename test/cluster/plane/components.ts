// Command lines of the control plane components. Everything listens on 127.0.0.1 only, on ports
// chosen at start; admission, RBAC and service-account token signing are on as in a real cluster.
// With a real node, the API server listens on the node's bridge address instead, so pods reach it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlaneBinaries } from './tools';
import type { CertPair, Pki } from './pki';

export type ComponentName = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';

/** Start order; stopping goes in reverse. */
export const componentOrder: ComponentName[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'];
/** A plane with a real node runs no kwok: no pod may land on a node that only pretends to run it. */
export const realNodeComponentOrder = componentOrder.filter((name) => name !== 'kwok');

export interface PlanePorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

export interface PlaneLayout {
  dir: string;
  kubeconfig: string;
  pki: Pki;
  ports: PlanePorts;
  /** Loopback range kwok assigns pod IPs from. */
  podCidr: string;
  /** Set when the plane serves a real node. */
  realNode?: RealNodeWiring;
}

export interface RealNodeWiring {
  /** The node's bridge address: the API server binds and advertises it (the `kubernetes` Service endpoint). */
  address: string;
  serviceCidr: string;
  /** What the API server presents to kubelets (logs, exec): bound to system:kubelet-api-admin, not admin. */
  kubeletClient: CertPair;
}

export interface ComponentSpec {
  bin: string;
  args: string[];
  /** URL answering 200 once the component is healthy, and whether it serves a self-signed cert. */
  health: { url: string; selfSigned: boolean };
}

const healthPaths = '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics';

/** The API server's audit log: every write at Metadata level (who, verb, object), so the bench can attribute writes. */
export function auditLogPath(dir: string): string {
  return join(dir, 'audit.log');
}

function writeAuditPolicy(dir: string): string {
  const path = join(dir, 'audit-policy.yaml');
  writeFileSync(path, [
    'apiVersion: audit.k8s.io/v1',
    'kind: Policy',
    'omitStages: [RequestReceived]',
    'rules:',
    '- level: Metadata',
    '  verbs: [create, update, patch, delete, deletecollection]',
    '- level: None',
    '',
  ].join('\n'));
  return path;
}


export function componentSpecs(bins: ControlPlaneBinaries, layout: PlaneLayout): Record<ComponentName, ComponentSpec> {
  const { dir, pki, ports, kubeconfig, realNode } = layout;
  const local = (port: number) => `127.0.0.1:${port}`;
  const apiserverAddress = `${realNode?.address ?? '127.0.0.1'}:${ports.apiserver}`;
  const apiserverNetworking = realNode
    ? [
      `--bind-address=${realNode.address}`, `--advertise-address=${realNode.address}`,
      `--service-cluster-ip-range=${realNode.serviceCidr}`,
      `--kubelet-client-certificate=${realNode.kubeletClient.cert}`, `--kubelet-client-key=${realNode.kubeletClient.key}`,
      // Kubelets serve certificates from this CA; without the flag the API server would not verify them.
      `--kubelet-certificate-authority=${pki.caCert}`,
      // The default order puts Hostname first, i.e. a DNS lookup of the node name on the host's resolver.
      '--kubelet-preferred-address-types=InternalIP',
      // A node's credentials may touch only its own Node, Lease and pods.
      '--enable-admission-plugins=NodeRestriction',
    ]
    : [
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
      // ClusterIPs are only numbers here (nothing routes them); keep even those on loopback.
      '--service-cluster-ip-range=127.96.0.0/16',
      // The default `kubernetes` Endpoints would name a loopback address, which validation rejects.
      '--endpoint-reconciler-type=none',
    ];
  const schedulerConfig = join(dir, 'scheduler.yaml');
  writeFileSync(schedulerConfig, [
    'apiVersion: kubescheduler.config.k8s.io/v1',
    'kind: KubeSchedulerConfiguration',
    `clientConnection: { kubeconfig: ${JSON.stringify(kubeconfig)}, qps: 200, burst: 400 }`,
    'leaderElection: { leaderElect: false }',
    '',
  ].join('\n'));
  return {
    etcd: {
      bin: bins.etcd,
      args: [
        '--name=local', `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://${local(ports.etcdClient)}`, `--advertise-client-urls=http://${local(ports.etcdClient)}`,
        `--listen-peer-urls=http://${local(ports.etcdPeer)}`, `--initial-advertise-peer-urls=http://${local(ports.etcdPeer)}`,
        `--initial-cluster=local=http://${local(ports.etcdPeer)}`,
        // Throwaway test data: durability is not worth the fsync latency.
        '--unsafe-no-fsync', '--auto-compaction-mode=periodic', '--auto-compaction-retention=5m',
      ],
      health: { url: `http://${local(ports.etcdClient)}/health`, selfSigned: false },
    },
    'kube-apiserver': {
      bin: bins.kubeApiserver,
      args: [
        `--etcd-servers=http://${local(ports.etcdClient)}`,
        ...apiserverNetworking, `--secure-port=${ports.apiserver}`,
        `--cert-dir=${join(dir, 'apiserver')}`,
        `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`, `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=Node,RBAC',
        `--service-account-issuer=https://${apiserverAddress}`,
        `--service-account-key-file=${pki.serviceAccountPublicKey}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        '--allow-privileged=true',
        '--max-requests-inflight=1000', '--max-mutating-requests-inflight=500',
        '--profiling=false',
        // Batch mode: requests never wait for the log file.
        `--audit-policy-file=${writeAuditPolicy(dir)}`, `--audit-log-path=${auditLogPath(dir)}`, '--audit-log-mode=batch',
        '--audit-log-maxsize=1000', '--audit-log-maxbackup=1',
      ],
      health: { url: `https://${apiserverAddress}/readyz`, selfSigned: false },
    },
    'kube-controller-manager': {
      bin: bins.kubeControllerManager,
      args: [
        `--kubeconfig=${kubeconfig}`, '--leader-elect=false',
        '--bind-address=127.0.0.1', `--secure-port=${ports.controllerManager}`, `--cert-dir=${join(dir, 'kcm')}`, healthPaths,
        // Signs legacy SA token secrets and publishes kube-root-ca.crt into every namespace.
        `--service-account-private-key-file=${pki.serviceAccountKey}`, `--root-ca-file=${pki.caCert}`,
        '--kube-api-qps=200', '--kube-api-burst=400',
        // Quotas learn about a new CRD's count/<resource> only at a full resync (default 5m); until then
        // creating such objects in a namespace with that quota fails "status unknown for quota".
        '--resource-quota-sync-period=10s',
      ],
      health: { url: `https://${local(ports.controllerManager)}/healthz`, selfSigned: true },
    },
    'kube-scheduler': {
      bin: bins.kubeScheduler,
      args: [
        `--config=${schedulerConfig}`,
        '--bind-address=127.0.0.1', `--secure-port=${ports.scheduler}`, `--cert-dir=${join(dir, 'scheduler')}`, healthPaths,
      ],
      health: { url: `https://${local(ports.scheduler)}/healthz`, selfSigned: true },
    },
    kwok: {
      bin: bins.kwok,
      args: [
        `--kubeconfig=${kubeconfig}`, `--config=${join(__dirname, 'kwok-stages.yaml')}`,
        '--manage-all-nodes=false', `--manage-nodes-with-annotation-selector=${fakeNodeAnnotation}=fake`,
        `--cidr=${layout.podCidr}`, '--node-ip=127.0.0.1', '--node-lease-duration-seconds=40',
        `--server-address=${local(ports.kwok)}`,
      ],
      health: { url: `http://${local(ports.kwok)}/healthz`, selfSigned: false },
    },
  };
}

/** Annotation that hands a Node to kwok. */
export const fakeNodeAnnotation = 'kwok.x-k8s.io/node';
