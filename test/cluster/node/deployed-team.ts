// What the as-deployed node tests (and the real-node bench) do as a platform team and its agents would: a team of
// our TeamSandboxes construct synthesized and applied, an agent ServiceAccount it names, and the SDK acting as that
// agent through the router Service. Also the few looks at the node the tests need (which runtime a container has).
import { execFileSync } from 'node:child_process';
import { App, Chart } from 'cdk8s';
import type { Pod, ResourceQuota, ResourceRequirements } from 'kubernetes-types/core/v1';
import { pythonSandboxPod } from '../../../examples/playground/playground';
import { TeamSandboxes } from '../../../lib';
import { DEFAULT_SYSTEM_NAMESPACE, type PodTemplate, type SandboxStartup } from '../../../lib/api';
import { ROUTER_SERVICE_NAME } from '../../../lib/builders/router';
import { SandboxClient } from '../../../lib/client';
import { applyServerSide, deleteNamespace, getObject, kubectl, serviceAccountKubeconfig, uniqueName, waitFor } from '../harness';
import { nodePaths } from '../plane/node/configs';
import { nodeDir } from '../plane/node/node';
import { realNodeClusterDir } from '../plane/plane';
import { nodeBinaries } from '../plane/tools';

/** Small enough that the platform (2 controllers, 2 routers) and a handful of sandboxes share the node's 2 cores. */
export const SANDBOX_RESOURCES: ResourceRequirements = { requests: { cpu: '10m', memory: '96Mi' }, limits: { cpu: '1', memory: '512Mi' } };
/** A runtime class the guardrails allow but the cluster does not have. */
export const ABSENT_RUNTIME_CLASS = 'gvisor-absent';
/** An image of an allowed registry that exists nowhere (the node has no registry and pulls nothing). */
export const ABSENT_IMAGE = 'ghcr.io/agent-sandbox-kit/no-such-image:0';

export interface DeployedTeam {
  readonly namespace: string;
  /** The gVisor warm pool (and its template). */
  readonly pool: string;
  /** Pools of size 0 whose template names an image that does not exist / a runtime class that does not exist. */
  readonly badImagePool: string;
  readonly absentRuntimePool: string;
  /**
   * A pool of size 0 whose sandboxes keep `/app` on a PVC `workspace-<sandbox>` of the default StorageClass,
   * have a headless Service and a NetworkPolicy of their own (so cluster DNS): a claim on it cold-starts a Sandbox
   * named like the claim.
   */
  readonly persistentPool: string;
  /** With TeamOptions.tasks: the pool of task sandboxes (PVC at `/app`, default startup actions). */
  readonly tasksPool?: string;
  /** The agent ServiceAccount the team's RBAC names. */
  readonly agent: string;
  remove(): Promise<void>;
}

export interface TeamOptions {
  poolReplicas: number;
  /** The team's warm-pool maximum. @default poolReplicas */
  maxPoolReplicas?: number;
  /** Also a template and pool `dense` (size 0) of this runtime class, allowed by the guardrails. @default - none */
  denseRuntimeClass?: string;
  /** @default SANDBOX_RESOURCES */
  resources?: ResourceRequirements;
  /**
   * Also a template and warm pool `tasks` whose sandboxes keep `/app` on a PVC and run these startup actions unless a
   * claim names its own. @default - none
   */
  tasks?: { startup: SandboxStartup; replicas: number };
}

function withContainer(pod: PodTemplate, change: (c: PodTemplate['spec']['containers'][number]) => void, runtimeClassName?: string): PodTemplate {
  const copy = structuredClone(pod);
  change(copy.spec.containers[0]);
  if (runtimeClassName) copy.spec.runtimeClassName = runtimeClassName;
  return copy;
}

/** Synthesizes a team with our constructs, applies it and its agent, and waits until the warm pool is Ready. */
export async function deployTeam(prefix: string, options: TeamOptions): Promise<DeployedTeam> {
  const namespace = uniqueName(prefix);
  const agent = 'agent';
  const pool = 'python';
  const app = new App();
  const chart = new Chart(app, 'team');
  const team = new TeamSandboxes(chart, 'team', {
    name: namespace,
    agents: { serviceAccounts: [agent] },
    maxWarmPoolReplicas: options.maxPoolReplicas ?? Math.max(options.poolReplicas, 1),
    guardrails: {
      allowedRuntimeClasses: ['gvisor', ABSENT_RUNTIME_CLASS, ...(options.denseRuntimeClass ? [options.denseRuntimeClass] : [])],
      allowedRegistries: ['ghcr.io/agent-sandbox-kit'],
    },
  });
  const pod = pythonSandboxPod(options.resources ?? SANDBOX_RESOURCES);
  team.addTemplate('python', { name: pool, podTemplate: pod }).addWarmPool('pool', { name: pool, replicas: options.poolReplicas });
  const badImage = withContainer(pod, (c) => { c.image = ABSENT_IMAGE; });
  team.addTemplate('bad-image', { name: 'bad-image', podTemplate: badImage }).addWarmPool('pool', { name: 'bad-image', replicas: 0 });
  const absentRuntime = withContainer(pod, () => undefined, ABSENT_RUNTIME_CLASS);
  team.addTemplate('absent-runtime', { name: 'absent-runtime', podTemplate: absentRuntime }).addWarmPool('pool', { name: 'absent-runtime', replicas: 0 });

  if (options.denseRuntimeClass) {
    const dense = withContainer(pod, () => undefined, options.denseRuntimeClass);
    team.addTemplate('dense', { name: 'dense', podTemplate: dense }).addWarmPool('pool', { name: 'dense', replicas: 0 });
  }
  // The default StorageClass's volumes take the pod's fsGroup, so the non-root sandbox can write to them.
  const workspace = { metadata: { name: 'workspace' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } } };
  const persistent = structuredClone(pod);
  persistent.spec.volumes = persistent.spec.volumes!.filter((volume) => volume.name !== 'workspace');
  // Its own NetworkPolicy (peers of the team on the runtime port, and DNS) instead of the default, which cuts cluster
  // DNS and so gets public resolvers: sandboxes of this template find each other by their Service names.
  const peers = { podSelector: {} };
  team.addTemplate('persistent', {
    name: 'persistent', podTemplate: persistent, service: true,
    networkPolicy: {
      ingress: [{ from: [peers, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': DEFAULT_SYSTEM_NAMESPACE } } }], ports: [{ port: 8888, protocol: 'TCP' }] }],
      egress: [{ to: [peers], ports: [{ port: 8888, protocol: 'TCP' }] }, { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }],
    },
    volumeClaimTemplates: [workspace],
  }).addWarmPool('pool', { name: 'persistent', replicas: 0 });
  if (options.tasks) {
    team.addTemplate('tasks', { name: 'tasks', podTemplate: persistent, startup: options.tasks.startup, volumeClaimTemplates: [workspace] })
      .addWarmPool('pool', { name: 'tasks', replicas: options.tasks.replicas });
  }

  const yaml = app.synthYaml();
  // The namespace and its policies first: the templates' admission policy binding must exist before them.
  await applyServerSide(yaml);
  await applyServerSide([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: agent, namespace } }]);
  await waitForQuotaTracking(namespace);
  await waitForPool(namespace, pool, options.poolReplicas);
  if (options.tasks) await waitForPool(namespace, 'tasks', options.tasks.replicas);
  return {
    namespace, pool, agent, badImagePool: 'bad-image', absentRuntimePool: 'absent-runtime', persistentPool: 'persistent',
    ...(options.tasks && { tasksPool: 'tasks' }),
    remove: () => deleteNamespace(namespace, { wait: true }),
  };
}

/**
 * Waits until every ResourceQuota of the namespace reports usage for each of its limits: until then quota admission
 * refuses what it counts ("status unknown for quota"), which on a fresh plane lasts until kube-controller-manager's
 * quota controller has discovered our CRDs' count/<resource> names.
 */
async function waitForQuotaTracking(namespace: string): Promise<void> {
  await waitFor(`the ResourceQuotas of ${namespace} tracking every limit`, async () => {
    const quotas = JSON.parse(await kubectl(['get', 'resourcequotas', '-n', namespace, '-o', 'json'])) as { items: ResourceQuota[] };
    return quotas.items.every((quota) => Object.keys(quota.spec?.hard ?? {}).every((name) => quota.status?.used?.[name] !== undefined));
  }, { timeoutMs: 120_000, intervalMs: 1000 });
}

/** Waits until the warm pool has `replicas` Ready members. */
export async function waitForPool(namespace: string, pool: string, replicas: number, timeoutMs = 300_000): Promise<void> {
  await waitFor(`warm pool ${namespace}/${pool} with ${replicas} Ready`, async () => {
    const current = await getObject<{ status?: { readyReplicas?: number } }>('sandboxwarmpool', pool, { namespace });
    return (current?.status?.readyReplicas ?? 0) === replicas;
  }, { timeoutMs, intervalMs: 500 });
}

/** `http://<ClusterIP>:<first port>` of a Service: the host reaches ClusterIPs through kube-proxy. */
export async function serviceUrl(namespace: string, name: string): Promise<string> {
  const service = await getObject<{ spec: { clusterIP: string; ports: { port: number }[] } }>('service', name, { namespace });
  if (!service) throw new Error(`Service ${namespace}/${name} not found`);
  return `http://${service.spec.clusterIP}:${service.spec.ports[0].port}`;
}

export const routerUrl = () => serviceUrl(DEFAULT_SYSTEM_NAMESPACE, ROUTER_SERVICE_NAME);

/** The SDK as the team's agent: its own token for the API server and for the router (default tokenreview auth). */
export async function agentClient(team: DeployedTeam): Promise<SandboxClient> {
  const token = (await kubectl(['create', 'token', team.agent, '-n', team.namespace, '--duration=3600s'])).trim();
  return new SandboxClient({
    kubeconfig: await serviceAccountKubeconfig(team.namespace, team.agent),
    connection: { mode: 'router', url: await routerUrl(), token },
  });
}

export async function podsOf(namespace: string, selector?: string): Promise<Pod[]> {
  const out = await kubectl(['get', 'pods', '-n', namespace, '-o', 'json', ...(selector ? ['-l', selector] : [])]);
  return (JSON.parse(out) as { items: Pod[] }).items.filter((pod) => !pod.metadata!.deletionTimestamp);
}

function ctr(args: string[]): string {
  const socket = nodePaths(nodeDir(realNodeClusterDir)).containerdSocket;
  return execFileSync(nodeBinaries().ctr, ['--address', socket, '--namespace', 'k8s.io', ...args], { encoding: 'utf8' });
}

/** The containerd runtime (shim) of the pod's first container, e.g. `io.containerd.runsc.v1`. */
export function runtimeOf(pod: Pod): string {
  const id = pod.status!.containerStatuses![0].containerID!.replace(/^containerd:\/\//, '');
  return (JSON.parse(ctr(['containers', 'info', id])) as { Runtime: { Name: string } }).Runtime.Name;
}
