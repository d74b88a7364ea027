// Upstream sandboxd's API on our runtime: the REST `/v1/files` surface over real HTTP, and the gRPC ProcessService
// called by a real @grpc/grpc-js client built from our process.proto. Real files, real processes.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRuntimeServer, DEFAULT_RUNTIME_CONFIG, parseRuntimeConfig, type RuntimeServer } from '../../../lib/sandbox-runtime';
import { EXECUTE_OUTPUT_BYTES_PER_STREAM, startProcessService, type ProcessService } from '../../../lib/sandbox-runtime/process-service';

const CAP = 64 * 1024;
let root: string;
let baseDir: string;
let outside: string;
let runtime: RuntimeServer;
let url: string;
let processes: ProcessService;
let client: grpc.Client & Record<string, any>;
let config: typeof DEFAULT_RUNTIME_CONFIG;
let ProcessServiceClient: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client & Record<string, any>;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-sandboxd-'));
  baseDir = path.join(root, 'work');
  outside = path.join(root, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'sentinel'), 'untouched');
  config = { ...DEFAULT_RUNTIME_CONFIG, host: '127.0.0.1', port: 0, baseDir, execTimeoutSeconds: 2, maxBodyBytes: CAP, maxOutputBytes: CAP };
  runtime = createRuntimeServer(config);
  url = `http://127.0.0.1:${await runtime.listen()}`;
  processes = await startProcessService(config, 0);
  const definition = protoLoader.loadSync(path.join(__dirname, '../../../lib/sandbox-runtime/process.proto'), { keepCase: true, defaults: true, oneofs: true });
  ProcessServiceClient = (grpc.loadPackageDefinition(definition).process as any).v1.ProcessService;
  client = new ProcessServiceClient(`127.0.0.1:${processes.port}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await processes.close();
  await runtime.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** The SDK's encoding: each segment percent-encoded, joined by %2F. */
const filesUrl = (p: string, query = ''): string => `${url}/v1/files/${p.split('/').map(encodeURIComponent).join('%2F')}${query}`;
const put = (p: string, body: RequestInit['body'], query = '', headers: Record<string, string> = {}) => fetch(filesUrl(p, query), { method: 'PUT', body, headers });
const del = (p: string, query = '') => fetch(filesUrl(p, query), { method: 'DELETE' });

describe('REST /v1/files', () => {
  test('PUT writes raw bytes atomically with parents and the given mode; GET reads them; HEAD probes', async () => {
    const res = await put('src/deep/main.py', 'print(1)\n', '?mode=0600');
    expect([res.status, await res.text()]).toEqual([204, '']);
    expect(fs.readFileSync(path.join(baseDir, 'src/deep/main.py'), 'utf8')).toBe('print(1)\n');
    expect(fs.statSync(path.join(baseDir, 'src/deep/main.py')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.join(baseDir, 'src/deep'))).toEqual(['main.py']); // no temporary file left
    const read = await fetch(filesUrl('src/deep/main.py'));
    expect([read.status, read.headers.get('content-type'), await read.text()]).toEqual([200, 'application/octet-stream', 'print(1)\n']);
    const head = await fetch(filesUrl('src/deep/main.py'), { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, '9', '']);
    expect((await fetch(filesUrl('src/nope.py'), { method: 'HEAD' })).status).toBe(404);
    expect(fs.statSync(path.join(baseDir, 'src/deep/main.py')).mode & 0o777).toBe(0o600);
    expect((await put('src/deep/main.py', 'again')).status).toBe(204); // idempotent overwrite, default 0644
    expect(fs.statSync(path.join(baseDir, 'src/deep/main.py')).mode & 0o777).toBe(0o644);
  });

  test('PUT takes a multipart "file" part, with or without a filename', async () => {
    const form = new FormData();
    form.append('other', 'ignored');
    form.append('file', new Blob(['from a form']));
    expect((await put('form.txt', form)).status).toBe(204);
    expect(fs.readFileSync(path.join(baseDir, 'form.txt'), 'utf8')).toBe('from a form');
  });

  test('GET of a directory lists it like sandboxd: sorted, RFC 3339 times, octal modes, links as their targets', async () => {
    fs.mkdirSync(path.join(baseDir, 'listing/inner'), { recursive: true });
    fs.writeFileSync(path.join(baseDir, 'listing/b.txt'), 'bb');
    fs.symlinkSync('inner', path.join(baseDir, 'listing/a-link'));
    fs.symlinkSync('missing', path.join(baseDir, 'listing/dangling'));
    const body: any = await (await fetch(filesUrl('listing'))).json();
    expect(body.path).toBe('/listing');
    expect(body.entries.map((e: any) => [e.name, e.type, e.mode])).toEqual([['a-link', 'directory', '0755'], ['b.txt', 'file', '0644'], ['inner', 'directory', '0755']]);
    expect(body.entries[1]).toMatchObject({ size: 2, modified_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    expect(Math.abs(Date.parse(body.entries[1].modified_at) - fs.statSync(path.join(baseDir, 'listing/b.txt')).mtimeMs)).toBeLessThan(1000);
    expect(((await (await fetch(`${url}/v1/files/`)).json()) as any).path).toBe('/');
  });

  test('DELETE removes files, empty directories, and with recursive=true whole trees; 404 and 409 as sandboxd', async () => {
    fs.mkdirSync(path.join(baseDir, 'tree/sub'), { recursive: true });
    fs.writeFileSync(path.join(baseDir, 'tree/sub/f'), 'f');
    fs.mkdirSync(path.join(baseDir, 'empty'));
    expect(await (await del('tree')).json()).toEqual({ code: 'CONFLICT', message: 'the directory is not empty; pass recursive=true to remove it' });
    expect((await del('tree/sub/f')).status).toBe(204);
    expect(fs.existsSync(path.join(baseDir, 'tree/sub/f'))).toBe(false);
    expect((await del('empty')).status).toBe(204);
    expect((await del('tree', '?recursive=true')).status).toBe(204);
    expect(fs.existsSync(path.join(baseDir, 'tree'))).toBe(false);
    const missing = await del('tree');
    expect([missing.status, await missing.json()]).toEqual([404, { code: 'NOT_FOUND', message: 'File not found' }]);
    expect((await del('x', '?recursive=maybe')).status).toBe(400);
  });

  test('the workspace itself is emptied by a recursive DELETE, never removed', async () => {
    const scratch = fs.mkdtempSync(path.join(root, 'scratch-'));
    const other = createRuntimeServer({ ...DEFAULT_RUNTIME_CONFIG, host: '127.0.0.1', port: 0, baseDir: scratch });
    const otherUrl = `http://127.0.0.1:${await other.listen()}/v1/files/`;
    try {
      fs.writeFileSync(path.join(scratch, 'a'), 'a');
      fs.mkdirSync(path.join(scratch, 'd'));
      expect((await fetch(otherUrl, { method: 'DELETE' })).status).toBe(409);
      expect((await fetch(`${otherUrl}%2E?recursive=true`, { method: 'DELETE' })).status).toBe(204);
      expect([fs.existsSync(scratch), fs.readdirSync(scratch)]).toEqual([true, []]);
    } finally {
      await other.close();
    }
  });

  test('paths stay in the workspace: traversal and links out are refused, a link is deleted itself, not its target', async () => {
    fs.symlinkSync(outside, path.join(baseDir, 'link-out'));
    fs.symlinkSync(path.join(outside, 'sentinel'), path.join(baseDir, 'sentinel-link'));
    for (const res of [await fetch(filesUrl('../outside/sentinel')), await fetch(filesUrl('link-out/sentinel')), await put('link-out/new', 'x'), await put('sentinel-link', 'x'), await del('link-out/sentinel')]) {
      expect([res.status, await res.json()]).toEqual([403, { code: 'PERMISSION_DENIED', message: 'Access denied' }]);
    }
    expect((await del('sentinel-link')).status).toBe(204);
    expect(fs.existsSync(path.join(baseDir, 'sentinel-link'))).toBe(false);
    expect(fs.readdirSync(outside)).toEqual(['sentinel']);
    expect(fs.readFileSync(path.join(outside, 'sentinel'), 'utf8')).toBe('untouched');
  });

  test('bad requests: a malformed mode, a directory as the destination, a FIFO to read, a body over the cap', async () => {
    execFileSync('mkfifo', [path.join(baseDir, 'a-fifo')]);
    expect(await (await fetch(filesUrl('a-fifo'))).json()).toEqual({ code: 'INVALID_ARGUMENT', message: 'the path is neither a regular file nor a directory' });
    expect(await (await put('m.txt', 'x', '?mode=4755')).json()).toEqual({ code: 'INVALID_ARGUMENT', message: 'mode "4755" must match ^0[0-7]{3}$' });
    fs.mkdirSync(path.join(baseDir, 'a-dir'), { recursive: true });
    expect(await (await put('a-dir', 'x')).json()).toEqual({ code: 'INVALID_ARGUMENT', message: 'the path is a directory' });
    const tooLarge = await put('big.bin', new Uint8Array(CAP + 1));
    expect([tooLarge.status, ((await tooLarge.json()) as any).code]).toEqual([413, 'RESOURCE_EXHAUSTED']);
    // Streamed without a length, the cap still holds and nothing is left behind.
    const chunks = new ReadableStream({ start(c) { for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(CAP / 2)); c.close(); } });
    const streamed = await fetch(filesUrl('big.bin'), { method: 'PUT', body: chunks, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(fs.readdirSync(baseDir).filter((n) => n.startsWith('big') || n.startsWith('.upload-'))).toEqual([]);
  });

  test('GET /v1/health answers like sandboxd; the python-runtime endpoints keep their own error bodies', async () => {
    expect(await (await fetch(`${url}/v1/health`)).json()).toEqual({ status: 'ok', uptime_seconds: expect.any(Number) });
    expect(await (await fetch(`${url}/download/..%2Fx`)).json()).toEqual({ message: 'Access denied' });
  });
});

/** Calls a unary method; resolves with [status code, response or error details]. */
function unary(method: string, request: object, deadlineSeconds?: number, via = client): Promise<[number, any]> {
  const options = deadlineSeconds === undefined ? {} : { deadline: Date.now() + deadlineSeconds * 1000 };
  return new Promise((resolve) => via[method](request, options, (err: grpc.ServiceError | null, response: any) => resolve(err ? [err.code, err.details] : [0, response])));
}

describe('gRPC process.v1.ProcessService', () => {
  test('Execute runs argv in the workspace with env and cwd, and returns exit code and output bytes', async () => {
    fs.mkdirSync(path.join(baseDir, 'cwd-here'), { recursive: true });
    const [code, response] = await unary('Execute', { config: { command: ['sh', '-c', 'echo "$GREETING" $PWD; printf "\\377" >&2; exit 3'], env_vars: { GREETING: 'hi' }, cwd: 'cwd-here' } });
    expect(code).toBe(grpc.status.OK);
    expect(response.exit_code).toBe(3);
    expect(response.stdout.toString()).toBe(`hi ${fs.realpathSync(baseDir)}/cwd-here\n`);
    expect([...response.stderr]).toEqual([0xff]);
    const [, plain] = await unary('Execute', { config: { command: ['pwd'] } });
    expect(plain.stdout.toString()).toBe(`${fs.realpathSync(baseDir)}\n`);
  });

  test('an Execute reply fits the 4 MiB a default gRPC client accepts, whatever the output cap allows', async () => {
    const wide = await startProcessService({ ...config, maxOutputBytes: DEFAULT_RUNTIME_CONFIG.maxOutputBytes }, 0);
    const wideClient = new ProcessServiceClient(`127.0.0.1:${wide.port}`, grpc.credentials.createInsecure());
    try {
      expect(DEFAULT_RUNTIME_CONFIG.maxOutputBytes).toBeGreaterThan(4 * 1024 * 1024);
      const [code, response] = await unary('Execute', { config: { command: ['sh', '-c', 'head -c 5000000 /dev/zero; head -c 5000000 /dev/zero >&2'] } }, undefined, wideClient);
      expect(code).toBe(grpc.status.OK);
      expect(response.stdout.length).toBeGreaterThan(EXECUTE_OUTPUT_BYTES_PER_STREAM);
      expect(response.stdout.length + response.stderr.length).toBeLessThan(4 * 1024 * 1024);
      expect(response.stderr.toString().endsWith(`[stderr truncated at ${EXECUTE_OUTPUT_BYTES_PER_STREAM} bytes]`)).toBe(true);
    } finally {
      wideClient.close();
      await wide.close();
    }
  });

  test('Execute refuses what upstream refuses, with its status codes', async () => {
    expect(await unary('Execute', { config: { command: [] } })).toEqual([grpc.status.INVALID_ARGUMENT, 'command is required']);
    expect((await unary('Execute', { config: { command: ['pwd'], cwd: '../..' } }))[0]).toBe(grpc.status.PERMISSION_DENIED);
    expect((await unary('Execute', { config: { command: ['true'], env_vars: { 'A=B': 'x' } } }))[0]).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await unary('Execute', { config: { command: ['no-such-program-xyz'] } })).toEqual([grpc.status.INTERNAL, 'failed to execute command: spawn no-such-program-xyz ENOENT']);
  });

  test('the caller\'s deadline kills the command; without one, the runtime\'s timeout does', async () => {
    const marker = path.join(baseDir, 'deadline-marker');
    const started = Date.now();
    expect((await unary('Execute', { config: { command: ['sh', '-c', `sleep 1; touch ${marker}`] } }, 0.3))[0]).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await unary('Execute', { config: { command: ['sleep', '30'] } })).toEqual([grpc.status.DEADLINE_EXCEEDED, 'command timed out after 2 seconds']);
    expect(fs.existsSync(marker)).toBe(false); // the sh was killed 2.7 s ago, before its touch
  });

  test('Start streams an InitEvent, the output as it comes and an ExitEvent; PTY and stdin are not offered', async () => {
    const events: any[] = [];
    const call = client.Start({ config: { command: ['sh', '-c', 'echo one; echo two >&2; exit 4'] } });
    await new Promise<void>((resolve, reject) => {
      call.on('data', (event: any) => events.push(event));
      call.on('end', resolve);
      call.on('error', reject);
    });
    expect(events[0]).toMatchObject({ event: 'init', init: { process_id: expect.any(Number) } });
    expect(events.at(-1)).toMatchObject({ event: 'exit', exit: { exit_code: 4 } });
    expect(Buffer.concat(events.filter((e) => e.event === 'stdout').map((e) => e.stdout)).toString()).toBe('one\n');
    expect(Buffer.concat(events.filter((e) => e.event === 'stderr').map((e) => e.stderr)).toString()).toBe('two\n');
    const pty = client.Start({ config: { command: ['true'] }, pty: { cols: 80, rows: 24 } });
    expect(await new Promise((resolve) => pty.on('error', (err: grpc.ServiceError) => resolve(err.code)))).toBe(grpc.status.UNIMPLEMENTED);
    expect((await unary('WriteStdin', { process_id: 1, input: Buffer.from('x') }))[0]).toBe(grpc.status.UNIMPLEMENTED);
  });
});

test('the sandboxd ports are flags and env variables; 0 leaves them off', () => {
  expect(parseRuntimeConfig([], {})).toMatchObject({ sandboxdRestPort: 0, sandboxdGrpcPort: 0 });
  expect(parseRuntimeConfig(['--sandboxd-grpc-port=9090'], { SANDBOXD_REST_PORT: '8080' })).toMatchObject({ sandboxdRestPort: 8080, sandboxdGrpcPort: 9090 });
  expect(() => parseRuntimeConfig(['--sandboxd-rest-port', '-1'])).toThrow('--sandboxd-rest-port: expected a positive number or 0, got "-1"');
});
