// The real node's provisioner for its default StorageClass: one directory per claim under the node's state directory,
// handed out as a `local` PersistentVolume pinned to the node, removed with its volume once the claim is gone.
// Why not kube-controller-manager's hostpath provisioner: it makes root-owned hostPath volumes, and kubelet applies
// a pod's fsGroup to local volumes only, so non-root sandboxes could not write to what they claimed.
// Runs as a node process (`node --import tsx local-volumes.ts`, settings in the environment) and polls the API server
// every second: a single-node test plane, a handful of claims.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { httpCall, type TlsOptions } from '../http';

/** The default StorageClass of the real node and the provisioner name it carries. */
export const LOCAL_STORAGE_CLASS = 'local-hostpath';
export const LOCAL_VOLUMES_PROVISIONER = 'agent-sandbox-kit.dev/local-volumes';
/** Printed once the first pass succeeded: the node's bring-up waits for it in the log. */
export const LOCAL_VOLUMES_READY = 'local volumes: serving';

export interface LocalVolumesSettings {
  server: string;
  tls: TlsOptions;
  /** Where the volumes' directories go. */
  dir: string;
  node: string;
}

interface Claim {
  metadata: { name: string; namespace: string; uid: string };
  spec: { storageClassName?: string; volumeName?: string; accessModes?: string[]; resources?: { requests?: { storage?: string } } };
  status?: { phase?: string };
}
interface Volume {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { local?: { path: string } };
  status?: { phase?: string };
}

const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

/** Conflicts (the volume exists) and deleting what is gone count as done. */
async function call(settings: LocalVolumesSettings, method: string, path: string, body?: object): Promise<string> {
  const res = await httpCall(`${settings.server}${path}`, { method, body, tls: settings.tls });
  if (res.status >= 300 && res.status !== 409 && !(method === 'DELETE' && res.status === 404)) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body}`);
  return res.body;
}
const list = async <T>(settings: LocalVolumesSettings, path: string): Promise<T[]> => (JSON.parse(await call(settings, 'GET', path)) as { items: T[] }).items;

/** A volume for `claim`, bound to it in advance (as external provisioners do), on `settings.node` only. */
function volumeFor(claim: Claim, path: string, node: string): object {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name: `local-${claim.metadata.uid}`, annotations: { [PROVISIONED_BY]: LOCAL_VOLUMES_PROVISIONER } },
    spec: {
      storageClassName: LOCAL_STORAGE_CLASS, persistentVolumeReclaimPolicy: 'Delete',
      accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'], capacity: { storage: claim.spec.resources?.requests?.storage ?? '1Gi' },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
      local: { path },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
    },
  };
}

/** One pass: a volume for every pending claim of the class, and released volumes (and their directories) deleted. */
export async function provisionOnce(settings: LocalVolumesSettings): Promise<void> {
  const claims = await list<Claim>(settings, '/api/v1/persistentvolumeclaims');
  for (const claim of claims) {
    if (claim.spec.storageClassName !== LOCAL_STORAGE_CLASS || claim.spec.volumeName || claim.status?.phase !== 'Pending') continue;
    const path = join(settings.dir, claim.metadata.uid);
    mkdirSync(path, { recursive: true, mode: 0o750 });
    await call(settings, 'POST', '/api/v1/persistentvolumes', volumeFor(claim, path, settings.node));
  }
  const volumes = await list<Volume>(settings, '/api/v1/persistentvolumes');
  for (const volume of volumes) {
    if (volume.metadata.annotations?.[PROVISIONED_BY] !== LOCAL_VOLUMES_PROVISIONER || volume.status?.phase !== 'Released') continue;
    if (volume.spec.local?.path.startsWith(settings.dir + '/')) rmSync(volume.spec.local.path, { recursive: true, force: true });
    await call(settings, 'DELETE', `/api/v1/persistentvolumes/${volume.metadata.name}`);
  }
}

/** Environment of the provisioner process. */
export const localVolumesEnv = { server: 'ASK_LOCAL_VOLUMES_SERVER', ca: 'ASK_LOCAL_VOLUMES_CA', cert: 'ASK_LOCAL_VOLUMES_CERT', key: 'ASK_LOCAL_VOLUMES_KEY', dir: 'ASK_LOCAL_VOLUMES_DIR', node: 'ASK_LOCAL_VOLUMES_NODE' } as const;

async function main(): Promise<void> {
  const env = (name: keyof typeof localVolumesEnv) => {
    const value = process.env[localVolumesEnv[name]];
    if (!value) throw new Error(`local volumes: ${localVolumesEnv[name]} is not set`);
    return value;
  };
  const settings: LocalVolumesSettings = {
    server: env('server'), dir: env('dir'), node: env('node'),
    tls: { ca: readFileSync(env('ca')), cert: readFileSync(env('cert')), key: readFileSync(env('key')) },
  };
  let ready = false;
  for (;;) {
    try {
      await provisionOnce(settings);
      if (!ready) console.log(LOCAL_VOLUMES_READY);
      ready = true;
    } catch (error) {
      console.error(`local volumes: ${(error as Error).message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

if (require.main === module) void main();
