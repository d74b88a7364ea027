// The runtime's startup-action endpoints (unit, real sockets): an action's declared timeout is honoured past the
// interactive exec cap up to the action maximum and refused above it; its output is followed live by id (what it
// printed before the follower came, then the rest as it comes, then the exit); an id runs once.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRuntimeServer, DEFAULT_RUNTIME_CONFIG, parseRuntimeConfig, type RuntimeServer } from '../../../lib/sandbox-runtime';

let runtime: RuntimeServer;
let base: string;
let baseDir: string;
beforeAll(async () => {
  baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'actions-test-'));
  runtime = createRuntimeServer({ ...DEFAULT_RUNTIME_CONFIG, host: '127.0.0.1', port: 0, baseDir, execTimeoutSeconds: 1, actionTimeoutMaxSeconds: 3 });
  base = `http://127.0.0.1:${await runtime.listen()}`;
});
afterAll(async () => {
  await runtime.close();
  fs.rmSync(baseDir, { recursive: true, force: true });
});

const post = (url: string, body: object) => fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const events = async (res: Response) => (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string; data?: string; exit_code?: number; timed_out?: boolean });

test('an action runs past the 1 s exec cap up to its declared 2 s; an interactive command is cut at the cap', async () => {
  const action = await events(await post('/v1/actions/aa-0', { command: ['sh', '-c', 'sleep 1.5; echo done'], timeout: 2 }));
  expect(action.at(-1)).toMatchObject({ type: 'exit', exit_code: 0, timed_out: false });
  expect(action.filter((e) => e.type === 'stdout').map((e) => e.data).join('')).toBe('done\n');
  const interactive = await events(await post('/v1/exec/stream', { command: ['sh', '-c', 'sleep 1.5; echo done'], timeout: 2 }));
  expect(interactive.at(-1)).toMatchObject({ type: 'exit', timed_out: true });
});

test('an action declaring more than the action maximum is refused, naming the setting, and its id stays free', async () => {
  const refused = await post('/v1/actions/bb-0', { command: ['true'], timeout: 4 });
  expect(refused.status).toBe(400);
  expect(await refused.json()).toEqual({ message: '"timeout" 4s exceeds the runtime\'s maximum of 3s (SANDBOX_ACTION_TIMEOUT_MAX_SECONDS)' });
  expect((await fetch(`${base}/v1/actions/bb-0/output`)).status).toBe(404);
  expect((await events(await post('/v1/actions/bb-0', { command: ['true'], timeout: 3 }))).at(-1)).toMatchObject({ exit_code: 0 });
  expect((await post('/v1/actions/bb-0', { command: ['true'] })).status).toBe(409);
});

test('a follower gets what the action printed before it came, the rest live, then the exit; a late one gets it all', async () => {
  const running = post('/v1/actions/cc-0', { command: ['sh', '-c', 'echo one; sleep 0.5; echo two'] });
  const runner = (await running).body!.getReader();
  await runner.read(); // the start event: the action runs
  await new Promise((r) => setTimeout(r, 200));
  const follow = await fetch(`${base}/v1/actions/cc-0/output`);
  expect(follow.headers.get('content-type')).toBe('application/x-ndjson');
  const reader = follow.body!.getReader();
  const first = Buffer.from((await reader.read()).value!).toString();
  expect(first).toBe('{"type":"stdout","data":"one\\n"}\n'); // before "two" was printed
  let rest = '';
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
  expect(rest).toMatch(/^\{"type":"stdout","data":"two\\n"\}\n\{"type":"exit","exit_code":0,/);
  while (!(await runner.read()).done);
  const late = await events(await fetch(`${base}/v1/actions/cc-0/output`));
  expect(late.map((e) => e.type)).toEqual(['stdout', 'stdout', 'exit']);
  expect((await fetch(`${base}/v1/actions/dd-0/output`)).status).toBe(404);
});

test('SANDBOX_ACTION_TIMEOUT_MAX_SECONDS sets the action maximum (default a day)', () => {
  expect(parseRuntimeConfig([], {}).actionTimeoutMaxSeconds).toBe(86_400);
  expect(parseRuntimeConfig([], { SANDBOX_ACTION_TIMEOUT_MAX_SECONDS: '7200' }).actionTimeoutMaxSeconds).toBe(7200);
  expect(parseRuntimeConfig(['--action-timeout-max-seconds=60'], {}).actionTimeoutMaxSeconds).toBe(60);
});

test('at most 32 actions are kept: while that many run, a new one is refused with 503', async () => {
  const running = await Promise.all(Array.from({ length: 32 }, async (_, i) => {
    const res = await post(`/v1/actions/ee-${i}`, { command: ['sleep', '3'], timeout: 3 });
    return res.status === 200 ? res.body!.getReader() : undefined;
  }));
  // Earlier tests' ended actions were evicted to make room; now every kept one runs.
  expect(running.every(Boolean)).toBe(true);
  const refused = await post('/v1/actions/ff-0', { command: ['true'] });
  expect({ status: refused.status, body: await refused.json() }).toEqual({ status: 503, body: { message: 'too many actions are running; retry later' } });
  await Promise.all(running.map((r) => r!.cancel()));
});
