// Streamed exec's `env` and `cwd` (used by startup actions): added to the command's environment, cwd confined to the
// base directory, bad values refused with 400/403.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntimeServer, DEFAULT_RUNTIME_CONFIG, type RuntimeServer } from '../../../lib/sandbox-runtime';

let server: RuntimeServer;
let base: string;
let url: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'placement-'));
  mkdirSync(join(base, 'work'));
  server = createRuntimeServer({ ...DEFAULT_RUNTIME_CONFIG, host: '127.0.0.1', port: 0, baseDir: base });
  url = `http://127.0.0.1:${await server.listen()}/v1/exec/stream`;
});
afterAll(async () => {
  await server.close();
  rmSync(base, { recursive: true, force: true });
});

const stream = (body: object) => fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

test('env and cwd reach the command', async () => {
  const res = await stream({ command: ['sh', '-c', 'echo "$GREETING $(pwd)"'], env: { GREETING: 'hi' }, cwd: 'work' });
  const events = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
  expect(events.filter((e) => e.type === 'stdout').map((e) => e.data).join('')).toBe(`hi ${join(base, 'work')}\n`);
  expect(events.at(-1)).toMatchObject({ type: 'exit', exit_code: 0 });
});

test.each([
  [{ env: { A: 1 } }, 400, '"env" must be an object of string values'],
  [{ env: { 'A=B': 'x' } }, 400, '"env" names must be non-empty without "=", and no NUL bytes'],
  [{ cwd: 7 }, 400, '"cwd" must be a string'],
  [{ cwd: '../..' }, 403, 'Access denied'],
])('%j is refused', async (extra, status, message) => {
  const res = await stream({ command: ['true'], ...extra });
  expect(res.status).toBe(status);
  expect(await res.json()).toEqual({ message });
});
