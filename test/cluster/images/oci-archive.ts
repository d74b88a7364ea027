// Reads an OCI image archive (as `buildah push oci-archive:` writes it) without a container engine: the
// reference and config of its one image, and its root filesystem unpacked into a directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly annotations?: Record<string, string>;
}

/** The parts of an OCI image config the tests check. */
export interface ImageConfig {
  readonly config: { User?: string; Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; WorkingDir?: string };
}

const readMember = (archive: string, member: string) =>
  execFileSync('tar', ['-xOf', archive, member], { maxBuffer: 1 << 30 });
const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`;
const readJson = <T>(archive: string, member: string): T => JSON.parse(readMember(archive, member).toString('utf8')) as T;

function manifestOf(archive: string): { ref?: string; layers: Descriptor[]; config: Descriptor } {
  const index = readJson<{ manifests: Descriptor[] }>(archive, 'index.json');
  if (index.manifests.length !== 1) throw new Error(`${archive}: expected one image, found ${index.manifests.length}`);
  const [entry] = index.manifests;
  const manifest = readJson<{ layers: Descriptor[]; config: Descriptor }>(archive, blobPath(entry.digest));
  return { ref: entry.annotations?.['org.opencontainers.image.ref.name'], ...manifest };
}

/** The image's reference (the archive's ref.name annotation) and its config. */
export function readImage(archive: string): { ref?: string; config: ImageConfig; layers: number } {
  const manifest = manifestOf(archive);
  return { ref: manifest.ref, config: readJson<ImageConfig>(archive, blobPath(manifest.config.digest)), layers: manifest.layers.length };
}

/**
 * Unpacks the image's layers in order into `dir` (as root, owners kept), applying each layer's whiteouts
 * (`.wh.NAME` deletes NAME from the layers below; `.wh..wh..opq` empties its directory) before its files.
 */
export function unpackRootfs(archive: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const layer of manifestOf(archive).layers) {
    if (!/tar\+gzip$/.test(layer.mediaType)) throw new Error(`${archive}: layer ${layer.digest} is ${layer.mediaType}, expected tar+gzip`);
    const blob = readMember(archive, blobPath(layer.digest));
    const names = execFileSync('tar', ['-tz'], { input: blob, maxBuffer: 1 << 30 }).toString('utf8').split('\n');
    for (const name of names.filter((entry) => basename(entry).startsWith(WHITEOUT))) {
      const parent = join(dir, dirname(name));
      const target = basename(name) === OPAQUE ? readdirIfAny(parent).map((entry) => join(parent, entry)) : [join(parent, basename(name).slice(WHITEOUT.length))];
      for (const path of target) rmSync(path, { recursive: true, force: true });
    }
    execFileSync('tar', ['-xz', '--same-owner', `--exclude=${WHITEOUT}*`, '-C', dir], { input: blob, maxBuffer: 1 << 30 });
  }
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const readdirIfAny = (path: string) => (existsSync(path) ? readdirSync(path) : []);
