// Pods for node tests: the local busybox image (imported into containerd, never pulled), a short grace
// period, and helpers to wait for Ready and to exec. Times are measured from create to Ready.
import { buildRuntimeClass, gvisorRuntimeClass } from '../../../lib/builders/runtime-class';
import { BUSYBOX_IMAGE, buildImage, ImageRecipe, importImages } from '../images/images';
import { applyServerSide, getObject, kubectl, waitFor } from '../harness';
import { nodePaths } from '../plane/node/configs';
import { nodeDir } from '../plane/node/node';
import { realNodeClusterDir } from '../plane/plane';
import { nodeBinaries } from '../plane/tools';

export interface PodOptions {
  /** @default the busybox test image */
  image?: string;
  runtimeClassName?: string;
  command: string[];
  labels?: Record<string, string>;
  volumes?: object[];
  volumeMounts?: object[];
  /** The pod's fsGroup: kubelet gives it the pod's volumes that support ownership (local PersistentVolumes do). @default - none */
  fsGroup?: number;
}

export function testPod(name: string, options: PodOptions): object {
  const user = { runAsUser: 65534, runAsGroup: 65534, runAsNonRoot: true };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: options.labels ?? {} },
    spec: {
      ...(options.runtimeClassName ? { runtimeClassName: options.runtimeClassName } : {}),
      terminationGracePeriodSeconds: 1,
      ...(options.fsGroup !== undefined ? { securityContext: { fsGroup: options.fsGroup } } : {}),
      ...(options.volumes ? { volumes: options.volumes } : {}),
      containers: [{
        name: 'main',
        image: options.image ?? BUSYBOX_IMAGE,
        imagePullPolicy: 'Never',
        command: options.command,
        securityContext: { ...user, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        ...(options.volumeMounts ? { volumeMounts: options.volumeMounts } : {}),
      }],
    },
  };
}

/** Creates the pod and waits until it is Ready; returns the milliseconds that took. */
export async function runPod(namespace: string, pod: object, timeoutMs = 90_000): Promise<number> {
  const started = Date.now();
  await applyServerSide([pod], { namespace });
  const name = (pod as { metadata: { name: string } }).metadata.name;
  await waitFor(`pod ${namespace}/${name} Ready`, async () => {
    const current = await getObject<{ status?: { conditions?: { type: string; status: string }[] } }>('pod', name, { namespace });
    return current?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  }, { timeoutMs, intervalMs: 50 });
  return Date.now() - started;
}

export function exec(namespace: string, pod: string, command: string[]): Promise<string> {
  return kubectl(['exec', '-n', namespace, pod, '--', ...command]);
}

export async function deletePod(namespace: string, name: string): Promise<void> {
  await kubectl(['delete', 'pod', '-n', namespace, name, '--wait=true', '--timeout=60s']);
}

/** Our gVisor RuntimeClass preset, exactly as the constructs synthesize it. */
export async function applyGvisorRuntimeClass(): Promise<string> {
  const runtimeClass = buildRuntimeClass(gvisorRuntimeClass());
  await applyServerSide([runtimeClass]);
  return runtimeClass.metadata!.name!;
}

/** Builds (or takes from the cache) an image the node does not import at start, and imports it; returns its reference. */
export function ensureNodeImage(recipe: ImageRecipe): string {
  const image = buildImage(recipe);
  importImages(nodePaths(nodeDir(realNodeClusterDir)).containerdSocket, [image], nodeBinaries().ctr);
  return image.ref;
}
