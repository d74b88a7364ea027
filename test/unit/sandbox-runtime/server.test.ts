// The runtime server over real HTTP on 127.0.0.1: upstream-compatible endpoints, confinement, streaming and cancel.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRuntimeServer, DEFAULT_RUNTIME_CONFIG, type RuntimeServer } from '../../../lib/sandbox-runtime';

let runtime: RuntimeServer;
let baseDir: string;
let url: string;

beforeAll(async () => {
  baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-test-'));
  runtime = createRuntimeServer({ ...DEFAULT_RUNTIME_CONFIG, host: '127.0.0.1', port: 0, baseDir, execTimeoutSeconds: 5 });
  url = `http://127.0.0.1:${await runtime.listen()}`;
});
afterAll(async () => {
  await runtime.close();
  fs.rmSync(baseDir, { recursive: true, force: true });
});

const jsonOf = async (res: Response | Promise<Response>): Promise<any> => (await res).json();
const post = (p: string, body: unknown) =>
  fetch(url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('GET / reports health like upstream', async () => {
  const res = await fetch(url + '/');
  expect(await res.json()).toEqual({ status: 'ok', message: 'Sandbox Runtime is active.' });
});

test('/execute splits like shlex, runs without a shell in the base dir', async () => {
  const res = await post('/execute', { command: `sh -c 'echo "$0" $PWD; echo err >&2; exit 3' 'a b'` });
  const body = await jsonOf(res);
  expect(body).toMatchObject({ stdout: `a b ${fs.realpathSync(baseDir)}\n`, stderr: 'err\n', exit_code: 3 });
  const noShell = await jsonOf(post('/execute', { command: 'echo $HOME; true' }));
  expect(noShell.stdout).toBe('$HOME; true\n');
});

test('/execute reports a missing program and a bad body as exit code 1, worded as upstream\'s runtime words them', async () => {
  expect(await jsonOf(post('/execute', { command: 'no-such-program-xyz' }))).toMatchObject({
    exit_code: 1, stdout: '', stderr: "Failed to execute command: [Errno 2] No such file or directory: 'no-such-program-xyz'",
  });
  expect(await jsonOf(post('/execute', { command: 'echo "unterminated' }))).toMatchObject({ exit_code: 1, stderr: 'Failed to execute command: No closing quotation' });
  expect(await jsonOf(post('/execute', { command: 'true', timeout_seconds: 'soon' }))).toMatchObject({ exit_code: 1, stderr: 'Failed to execute command: "timeout_seconds" must be a positive number of seconds' });
  expect(await jsonOf(post('/execute', { command: 'true', timeout: 1, timeout_seconds: 2 }))).toMatchObject({ exit_code: 1, stderr: 'Failed to execute command: "timeout" and "timeout_seconds" differ; send one of them' });
});

test('/execute takes upstream SDK\'s timeout_seconds (null: the default limit) and words a timeout as upstream does', async () => {
  const started = Date.now();
  const body = await jsonOf(post('/execute', { command: `sh -c "echo partial; sleep 30"`, timeout_seconds: 0.5 }));
  expect(Date.now() - started).toBeLessThan(4000);
  expect(body).toMatchObject({ stdout: 'partial\n', timed_out: true, exit_code: -9 });
  expect(body.stderr).toBe(`Failed to execute command: Command '['sh', '-c', 'echo partial; sleep 30']' timed out after 0.5 seconds`);
  expect(await jsonOf(post('/execute', { command: 'echo fine', timeout_seconds: null }))).toMatchObject({ stdout: 'fine\n', exit_code: 0, timed_out: false });
});

test('/execute kills the whole process group on timeout', async () => {
  const marker = path.join(baseDir, 'grandchild-ran');
  const started = Date.now();
  const body = await jsonOf(post('/execute', { command: `sh -c "(sleep 2; touch ${marker}) & sleep 30"`, timeout: 0.5 }));
  expect(Date.now() - started).toBeLessThan(4000);
  expect(body.timed_out).toBe(true);
  expect(body.exit_code).toBe(-9);
  await new Promise((r) => setTimeout(r, 2500));
  expect(fs.existsSync(marker)).toBe(false);
});

test('upload (multipart, parents created), download, list and exists round trip', async () => {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from([0, 1, 2, 255])]), 'nested/dir/data.bin');
  expect((await fetch(url + '/upload', { method: 'POST', body: form })).status).toBe(200);
  const download = await fetch(url + '/download/nested%2Fdir%2Fdata.bin');
  expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  const listing = await (await fetch(url + '/list/nested/dir')).json();
  expect(listing).toEqual([{ name: 'data.bin', size: 4, type: 'file', mod_time: expect.any(Number) }]);
  expect(await (await fetch(url + '/exists/nested/dir/data.bin')).json()).toEqual({ path: 'nested/dir/data.bin', exists: true });
  expect(await (await fetch(url + '/exists/nope')).json()).toEqual({ path: 'nope', exists: false });
  const missing = await fetch(url + '/download/nope');
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ message: 'File not found' });
});

test('paths escaping the base dir are refused with 403, including through symlinks', async () => {
  fs.symlinkSync('/etc', path.join(baseDir, 'escape'));
  for (const p of ['/download/..%2F..%2Fetc%2Fpasswd', '/list/a%2F..%2F..', '/exists/escape/passwd', '/download/escape/passwd']) {
    const res = await fetch(url + p);
    expect([p, res.status]).toEqual([p, 403]);
    expect(await res.json()).toEqual({ message: 'Access denied' });
  }
  const form = new FormData();
  form.append('file', new Blob(['x']), '../outside.txt');
  expect((await fetch(url + '/upload', { method: 'POST', body: form })).status).toBe(403);
  expect(fs.existsSync(path.join(baseDir, '..', 'outside.txt'))).toBe(false);
});

async function readEvents(res: Response, onEvent: (e: Record<string, unknown>) => void): Promise<void> {
  const reader = res.body!.getReader();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffered += Buffer.from(value).toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onEvent(JSON.parse(buffered.slice(0, newline)));
      buffered = buffered.slice(newline + 1);
    }
  }
}

test('/v1/exec/stream delivers output before the command ends, then the exit', async () => {
  const res = await post('/v1/exec/stream', { command: ['sh', '-c', 'echo first; sleep 1; echo second >&2; exit 4'] });
  expect(res.headers.get('content-type')).toBe('application/x-ndjson');
  const seen: Array<[number, Record<string, unknown>]> = [];
  await readEvents(res, (e) => seen.push([Date.now(), e]));
  const types = seen.map(([, e]) => e.type);
  expect(types).toEqual(['start', 'stdout', 'stderr', 'exit']);
  expect(seen[1]![1]).toEqual({ type: 'stdout', data: 'first\n' });
  expect(seen[3]![1]).toMatchObject({ type: 'exit', exit_code: 4, timed_out: false, cancelled: false });
  expect(seen[3]![0] - seen[1]![0]).toBeGreaterThanOrEqual(800);
});

test('/v1/exec/{id}/cancel kills a streamed command', async () => {
  const res = await post('/v1/exec/stream', { command: 'sleep 30' });
  const events: Array<Record<string, unknown>> = [];
  await readEvents(res, (e) => {
    events.push(e);
    if (e.type === 'start') void post(`/v1/exec/${e.id}/cancel`, {});
  });
  expect(events.at(-1)).toMatchObject({ type: 'exit', cancelled: true, exit_code: -9 });
  expect((await post('/v1/exec/00000000-0000-0000-0000-000000000000/cancel', {})).status).toBe(404);
});

test('a client disconnect cancels the streamed command', async () => {
  const marker = path.join(baseDir, 'after-disconnect');
  const controller = new AbortController();
  const res = await fetch(url + '/v1/exec/stream', {
    method: 'POST',
    body: JSON.stringify({ command: ['sh', '-c', `echo go; sleep 1.5; touch ${marker}`] }),
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  await reader.read();
  controller.abort();
  await new Promise((r) => setTimeout(r, 2500));
  expect(fs.existsSync(marker)).toBe(false);
});

test('unknown routes and bad stream bodies are clear errors', async () => {
  expect((await fetch(url + '/nope')).status).toBe(404);
  const bad = await post('/v1/exec/stream', { command: 42 });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toEqual({ message: '"command" must be a string or an array of strings' });
});
