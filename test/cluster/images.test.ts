// Our images, built daemonless on this machine (buildah from Debian packages, the npm registry and Go): a second
// build of unchanged inputs is served from the content-hash cache, and each image holds what it should. Programs
// are started inside the unpacked root filesystems with chroot, as the images' own non-root user.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONTROLLER_IMAGE } from '../../lib/builders/package-version';
import { buildImage, imageRecipes, NODE_VERSION, RUNTIME_IMAGE, type ImageArchive } from './images/images';
import { readImage, unpackRootfs } from './images/oci-archive';

jest.setTimeout(20 * 60_000);

const names = ['pause', 'busybox', 'controller', 'runtime'] as const;
const built = {} as Record<(typeof names)[number], ImageArchive>;
const scratch = mkdtempSync(join(tmpdir(), 'ask-images-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  const recipes = imageRecipes();
  for (const name of names) built[name] = buildImage(recipes[name]);
});

/** Runs `argv` inside `rootfs` as uid:gid, with the image's PATH; returns stdout. */
function inImage(rootfs: string, user: string, argv: string[], cwd = '/'): string {
  const script = `cd ${cwd} && exec "$@"`;
  return execFileSync('chroot', [`--userspec=${user}`, rootfs, '/bin/sh', '-c', script, 'sh', ...argv], {
    encoding: 'utf8',
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: cwd },
  });
}

function unpacked(name: keyof typeof built): string {
  const dir = join(scratch, name);
  if (!existsSync(dir)) unpackRootfs(built[name].archive, dir);
  return dir;
}

it('serves a second build of unchanged inputs from the cache, in seconds', () => {
  const started = Date.now();
  const again = names.map((name) => buildImage(imageRecipes()[name]));
  expect(again.map((image) => [image.name, image.reused, image.archive])).toEqual(names.map((name) => [name, true, built[name].archive]));
  expect(Date.now() - started).toBeLessThan(10_000);
});

it('pause: one static binary that exits 0 on SIGTERM', async () => {
  const { ref, config } = readImage(built.pause.archive);
  expect(ref).toBe('localhost/agent-sandbox-kit/pause:1');
  expect(config.config.Entrypoint).toEqual(['/pause']);
  const pause = spawn('chroot', [unpacked('pause'), '/pause'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(pause.exitCode).toBeNull();
  pause.kill('SIGTERM');
  const code = await new Promise((resolve) => pause.on('exit', resolve));
  expect(code).toBe(0);
});

it('busybox: a shell and applets from FROM scratch', () => {
  expect(readImage(built.busybox.archive).ref).toBe('localhost/agent-sandbox-kit/busybox:1');
  expect(inImage(unpacked('busybox'), '65532:65532', ['sh', '-c', 'echo $((6*7)) && ls /bin/wget'])).toBe('42\n/bin/wget\n');
});

it('controller: UID 65532, the synthesized entry point, Node.js LTS, production dependencies, --help runs', () => {
  const { ref, config } = readImage(built.controller.archive);
  expect(ref).toBe(DEFAULT_CONTROLLER_IMAGE);
  expect(config.config.User).toBe('65532:65532');
  expect(config.config.Entrypoint).toEqual(['node', 'build/lib/controller/main.js']);
  expect(config.config.WorkingDir).toBe('/app');
  const rootfs = unpacked('controller');
  expect(inImage(rootfs, '65532:65532', ['node', '--version'])).toBe(`v${NODE_VERSION}\n`);
  expect(inImage(rootfs, '65532:65532', ['node', 'build/lib/controller/main.js', '--help'], '/app')).toMatch(/^Usage: agent-sandbox-controller/);
  expect(existsSync(join(rootfs, 'app/build/lib/router/main.js'))).toBe(true);
  expect(existsSync(join(rootfs, 'app/node_modules/@kubernetes/client-node'))).toBe(true);
  expect(existsSync(join(rootfs, 'app/node_modules/typescript'))).toBe(false);
});

it('runtime: UID 65532 under tini, Python 3 and Node.js LTS, the runtime compiled', () => {
  const { ref, config } = readImage(built.runtime.archive);
  expect(ref).toBe(RUNTIME_IMAGE);
  expect(config.config.User).toBe('65532:65532');
  expect(config.config.Entrypoint).toEqual(['/usr/bin/tini', '--', 'node', '/opt/sandbox-runtime/main.js']);
  const rootfs = unpacked('runtime');
  expect(inImage(rootfs, '65532:65532', ['python3', '-c', 'print(6*7)'], '/app')).toBe('42\n');
  expect(inImage(rootfs, '65532:65532', ['node', '--version'])).toBe(`v${NODE_VERSION}\n`);
  expect(existsSync(join(rootfs, 'opt/sandbox-runtime/main.js'))).toBe(true);
  expect(existsSync(join(rootfs, 'usr/bin/tini'))).toBe(true);
  // sandboxd's ports are on, and its gRPC service loads (grpc-js and our process.proto beside the runtime), without the compiler.
  expect(config.config.Env).toEqual(expect.arrayContaining(['SANDBOXD_REST_PORT=8080', 'SANDBOXD_GRPC_PORT=9090']));
  expect(inImage(rootfs, '65532:65532', ['node', '-e', "require('/opt/sandbox-runtime/process-service.js'); console.log('loaded')"], '/app')).toBe('loaded\n');
  expect(existsSync(join(rootfs, 'opt/sandbox-runtime/node_modules/typescript'))).toBe(false);
});
