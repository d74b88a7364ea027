// The local plane's container images, built daemonless on this machine: buildah with vfs storage and chroot
// isolation, in a private storage root per build (never the host's default storage), written as OCI archives
// that are cached by a content hash of exactly their inputs (recipe, context files, base archive, tool
// versions), so a second build of unchanged inputs costs a hash. importImages loads archives into a
// containerd's k8s.io namespace (the one the CRI plugin serves to kubelet) under their references.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toolsDir } from '../plane/tools';

const here = __dirname;

/** One image: its recipe and the inputs its content hash covers. */
export interface ImageRecipe {
  /** Short name, used for archive and log file names. */
  readonly name: string;
  /** Reference the image carries in its archive and in containerd (what pods name). */
  readonly ref: string;
  /** Containerfile/Dockerfile, hashed as part of the recipe. */
  readonly containerfile: string;
  /** Build context: path inside the context → file or directory on this machine; all hashed and copied. */
  readonly sources: Readonly<Record<string, string>>;
  /** Produces further context files from the copied sources (e.g. compiles them); runs only on a cache miss. */
  readonly generate?: (contextDir: string) => void;
  /** Versions of the tools `generate` uses, hashed because they shape the output (asked only when hashing). */
  readonly toolVersions?: () => readonly string[];
  /** Recipe whose archive is this image's base, passed to the build as `baseArg`. */
  readonly base?: { readonly recipe: ImageRecipe; readonly baseArg: string };
  readonly buildArgs?: Readonly<Record<string, string>>;
}

/** A built image: its archive on disk, the reference inside it, and whether the cache served it. */
export interface ImageArchive {
  readonly name: string;
  readonly ref: string;
  readonly archive: string;
  readonly reused: boolean;
  readonly seconds: number;
}

/** Where archives, build logs and the per-build buildah storage live: <tools dir>/images. */
export function imagesDir(): string {
  return join(toolsDir(), 'images');
}

/** The pod sandbox image pinned in containerd's CRI config (`pinned_images.sandbox`). */
export const PAUSE_IMAGE = 'localhost/agent-sandbox-kit/pause:1';
/** A small image for node tests: Debian's static busybox with its applets in /bin. */
export const BUSYBOX_IMAGE = 'localhost/agent-sandbox-kit/busybox:1';

const run = (file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options }).trim();

export const pauseRecipe: ImageRecipe = {
  name: 'pause',
  ref: PAUSE_IMAGE,
  containerfile: join(here, 'pause', 'Containerfile'),
  sources: { 'src/pause.go': join(here, 'pause', 'pause.go'), 'src/go.mod': join(here, 'pause', 'go.mod') },
  generate: (contextDir) =>
    run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', join(contextDir, 'pause'), '.'], {
      cwd: join(contextDir, 'src'),
      env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
    }),
  toolVersions: () => [toolVersion('go', ['version'])],
};

export const busyboxRecipe: ImageRecipe = {
  name: 'busybox',
  ref: BUSYBOX_IMAGE,
  containerfile: join(here, 'busybox', 'Containerfile'),
  // Debian's busybox-static installs a statically linked /bin/busybox, so FROM scratch needs nothing else.
  sources: { busybox: '/bin/busybox' },
};

/** `file args` output, or a marker naming the missing tool (hashing must not fail before the build explains). */
function toolVersion(file: string, args: string[]): string {
  try {
    return run(file, args);
  } catch {
    return `${file}: not installed`;
  }
}

function hashPath(hash: ReturnType<typeof createHash>, contextPath: string, source: string): void {
  const stat = statSync(source);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(source).sort()) hashPath(hash, join(contextPath, entry), join(source, entry));
    return;
  }
  hash.update(`file ${contextPath} ${stat.mode & 0o111 ? 'x' : '-'} ${stat.size}\n`);
  hash.update(readFileSync(source));
}

/** Content hash of everything that decides the image: recipe, sources, tool versions, build args and base. */
export function recipeHash(recipe: ImageRecipe, baseArchive?: string): string {
  const hash = createHash('sha256');
  hash.update(`ref ${recipe.ref}\n`);
  hashPath(hash, 'Containerfile', recipe.containerfile);
  for (const [contextPath, source] of Object.entries(recipe.sources).sort(([a], [b]) => a.localeCompare(b))) {
    if (!existsSync(source)) throw new Error(`image ${recipe.name}: build input ${source} is missing`);
    hashPath(hash, contextPath, source);
  }
  for (const version of recipe.toolVersions?.() ?? []) hash.update(`tool ${version}\n`);
  for (const [key, value] of Object.entries(recipe.buildArgs ?? {}).sort()) hash.update(`arg ${key}=${value}\n`);
  if (baseArchive) hash.update(`base ${baseArchive}\n`);
  return hash.digest('hex').slice(0, 20);
}

function buildah(storage: string, logFd: number, args: string[]): void {
  const global = ['--root', join(storage, 'root'), '--runroot', join(storage, 'runroot'), '--storage-driver', 'vfs'];
  execFileSync('buildah', [...global, ...args], { stdio: ['ignore', logFd, logFd] });
}

/**
 * Builds `recipe` (and its base first) unless an archive for the same content hash exists; returns the archive.
 * A failed build throws naming the image and its log file.
 */
export function buildImage(recipe: ImageRecipe): ImageArchive {
  const started = Date.now();
  const base = recipe.base ? buildImage(recipe.base.recipe) : undefined;
  const hash = recipeHash(recipe, base?.archive);
  const dir = imagesDir();
  const archive = join(dir, `${recipe.name}-${hash}.oci.tar`);
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  if (existsSync(archive)) return { name: recipe.name, ref: recipe.ref, archive, reused: true, seconds: seconds() };

  mkdirSync(join(dir, 'logs'), { recursive: true });
  const log = join(dir, 'logs', `${recipe.name}-${hash}.log`);
  const work = mkdtempSync(join(dir, `build-${recipe.name}-`));
  const logFd = openSync(log, 'w');
  const partial = `${archive}.partial`;
  try {
    const context = join(work, 'context');
    for (const [contextPath, source] of Object.entries(recipe.sources)) {
      mkdirSync(dirname(join(context, contextPath)), { recursive: true });
      cpSync(source, join(context, contextPath), { recursive: true, dereference: true });
    }
    mkdirSync(context, { recursive: true });
    recipe.generate?.(context);
    const storage = join(work, 'storage');
    const buildArgs = Object.entries(recipe.buildArgs ?? {}).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
    if (base && recipe.base) {
      // The base enters this build's private storage from its archive; the build must not look for it anywhere else.
      buildah(storage, logFd, ['pull', '--quiet', `oci-archive:${base.archive}`]);
      buildArgs.push('--build-arg', `${recipe.base.baseArg}=${base.ref}`);
    }
    buildah(storage, logFd, [
      'bud', '--isolation', 'chroot', '--pull-never', '--network', 'host', '--layers=false',
      '-f', recipe.containerfile, '-t', recipe.ref, ...buildArgs, context,
    ]);
    buildah(storage, logFd, ['push', '--quiet', recipe.ref, `oci-archive:${partial}:${recipe.ref}`]);
    renameSync(partial, archive);
    buildah(storage, logFd, ['rmi', '--all', '--force']);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new Error(`image ${recipe.name} (${recipe.ref}): build failed: ${(error as Error).message.split('\n')[0]}; see ${log}`);
  } finally {
    closeSync(logFd);
    rmSync(work, { recursive: true, force: true });
  }
  return { name: recipe.name, ref: recipe.ref, archive, reused: false, seconds: seconds() };
}

/**
 * Imports archives with `ctr` (the client built with that containerd) into the `k8s.io` namespace of the
 * containerd at `containerdSocket`, where kubelet's CRI finds them; checks afterwards that every reference is
 * there and throws naming the missing ones.
 */
export function importImages(containerdSocket: string, archives: readonly ImageArchive[], ctr: string): void {
  const ctrArgs = ['--address', containerdSocket, '--namespace', 'k8s.io'];
  for (const image of archives) {
    try {
      run(ctr, [...ctrArgs, 'images', 'import', '--all-platforms', image.archive]);
    } catch (error) {
      throw new Error(`importing ${image.ref} from ${image.archive} into containerd at ${containerdSocket} failed: ${(error as Error).message.trim()}`);
    }
  }
  const present = new Set(run(ctr, [...ctrArgs, 'images', 'list', '--quiet']).split('\n'));
  const missing = archives.filter((image) => !present.has(image.ref)).map((image) => image.ref);
  if (missing.length > 0) throw new Error(`containerd at ${containerdSocket} lacks ${missing.join(', ')} after import`);
}

/** Every image this module builds, by name. */
export function imageRecipes(): Record<string, ImageRecipe> {
  return Object.fromEntries([pauseRecipe, busyboxRecipe].map((recipe) => [recipe.name, recipe]));
}
