// Data-path fixtures on the local control plane: "pods" served by the real runtime as a local process bound on
// the pod's loopback IP, and the router running with exactly the RBAC its builder synthesizes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Sandbox } from '../../../lib/api';
import { buildRouter, ROUTER_NAME } from '../../../lib/builders/router';
import { sandboxAccessRbac, type SandboxAccessGrant } from '../../../lib/builders/team';
import { KubeClient, Resources } from '../../../lib/kube';
import { DEFAULT_ROUTER_CONFIG, NodeAddressCache, RouterMetrics, RouterServer, SandboxCache, type Authorizer, type RouterConfig, type SandboxCacheOptions } from '../../../lib/router';
import { adminClient, poolObject, templateObject, waitForPoolReady } from '../claims/fixtures';
import { applyServerSide, installControllerIdentity, serviceAccountKubeconfig, startController, waitFor, type ControllerProcess } from '../harness';
import { CONTROLLER_NAMESPACE } from '../harness/controller-process';

const repoRoot = resolve(__dirname, '..', '..', '..');
export const RUNTIME_PORT = 8888;
/** Upstream sandboxd's ports, which the runtime image serves too (REST, gRPC). */
export const SANDBOXD_PORTS = { rest: 8080, grpc: 9090 } as const;

export interface ServedPod {
  readonly ip: string;
  readonly baseDir: string;
  stop(): Promise<void>;
}

/**
 * Starts `npm run sandbox-runtime` on `ip:8888` and sandboxd's ports (what the sandbox image runs) and waits until it answers. Given a
 * `volume` directory (a PVC surviving its pod) the runtime works in it and stop() leaves it; else in a fresh one.
 * `env` adds to its environment (e.g. SANDBOX_EXEC_TIMEOUT_SECONDS, as a template's container env would).
 */
export async function servePod(ip: string, volume?: string, env: Record<string, string> = {}): Promise<ServedPod> {
  const baseDir = volume ?? mkdtempSync(join(tmpdir(), 'pod-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/sandbox-runtime/main.ts', '--bind-address', ip, '--port', String(RUNTIME_PORT), '--base-dir', baseDir,
    '--sandboxd-rest-port', String(SANDBOXD_PORTS.rest), '--sandboxd-grpc-port', String(SANDBOXD_PORTS.grpc)], {
    cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env },
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await waitFor(`runtime on ${ip}:${RUNTIME_PORT}`, async () => (await fetch(`http://${ip}:${RUNTIME_PORT}/`)).ok, { timeoutMs: 30_000, intervalMs: 100 });
  return {
    ip, baseDir,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      if (!volume) rmSync(baseDir, { recursive: true, force: true });
    },
  };
}

/** Serves the pod of Sandbox `namespace/name` (its first pod IP) with the runtime. */
export async function serveSandbox(admin: KubeClient, namespace: string, name: string): Promise<ServedPod> {
  const sandbox = await admin.get<Sandbox>(Resources.sandboxes, namespace, name);
  return servePod(sandbox.status!.podIPs![0]!);
}

/** Starts the controller (as its ServiceAccount) and a warm pool `pool` of `replicas` in `namespace`, Ready. */
export async function startControllerWithPool(namespace: string, pool: string, replicas: number): Promise<ControllerProcess> {
  const controller = await startController({ kubeconfig: await installControllerIdentity() });
  const admin = await adminClient();
  try {
    await admin.create(Resources.sandboxTemplates, templateObject(namespace, pool));
    await admin.create(Resources.sandboxWarmPools, poolObject(namespace, pool, pool, replicas));
    await waitForPoolReady(admin, namespace, pool, replicas);
  } finally {
    admin.close();
  }
  return controller;
}

/** Applies the router's ServiceAccount and RBAC from buildRouter() and returns a kubeconfig acting as it. */
export async function installRouterIdentity(): Promise<string> {
  const identity = buildRouter({ namespace: CONTROLLER_NAMESPACE }).filter((o) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind));
  // The namespace too: a file that tears the platform down (pulumi, release) may have removed it.
  await applyServerSide([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CONTROLLER_NAMESPACE } }, ...identity as object[]]);
  return serviceAccountKubeconfig(CONTROLLER_NAMESPACE, ROUTER_NAME);
}

/** Applies the RBAC `TeamSandboxes.grantSandboxAccess` synthesizes: `grant` may reach sandboxes in `namespace` through the router. */
export async function grantSandboxAccess(namespace: string, grant: SandboxAccessGrant): Promise<void> {
  await applyServerSide(sandboxAccessRbac(namespace, grant) as object[]);
}

export interface RunningRouter {
  readonly url: string;
  readonly cache: SandboxCache;
  readonly nodes: NodeAddressCache;
  readonly metrics: RouterMetrics;
  readonly kube: KubeClient;
  stop(): Promise<void>;
}

/** Starts a router (watch-backed Sandbox and Node caches, given authorizer) on 127.0.0.1 with the router's own identity. */
export async function startRouter(
  kubeconfig: string, authorizer: (kube: KubeClient, metrics: RouterMetrics) => Authorizer, config: Partial<RouterConfig> = {}, cacheOptions: SandboxCacheOptions = {},
): Promise<RunningRouter> {
  const kube = await KubeClient.create({ kubeconfig });
  const cache = new SandboxCache(kube, cacheOptions);
  const nodes = new NodeAddressCache(kube);
  await Promise.all([cache.start(), nodes.start()]);
  const metrics = new RouterMetrics();
  const router = new RouterServer({
    config: { ...DEFAULT_ROUTER_CONFIG, allowLoopbackPodIP: true, accessLog: false, ...config }, resolver: cache, nodeAddresses: nodes, metrics,
    authorizer: authorizer(kube, metrics),
  });
  const port = await router.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`, cache, nodes, metrics, kube,
    stop: async () => {
      cache.stop();
      nodes.stop();
      await router.close();
      kube.close();
    },
  };
}
