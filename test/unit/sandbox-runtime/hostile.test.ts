// The runtime against a hostile caller (issue 21): oversize and malformed bodies, names that leave the
// workspace through symlinks, commands that escape their process group, and property-based runs over
// path names and multipart bodies. Real server on 127.0.0.1, real processes, real files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { createRuntimeServer, DEFAULT_RUNTIME_CONFIG, type RuntimeServer } from '../../../lib/sandbox-runtime';
import { EXEC_ID_ENV, processesOf } from '../../../lib/sandbox-runtime/process-tree';
import { streamingUpload } from '../../bench/runtime-memory';

const CAP = 1024 * 1024;
let runtime: RuntimeServer;
let root: string;
let baseDir: string;
let outside: string;
let port: number;
let url: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-hostile-'));
  baseDir = path.join(root, 'work');
  outside = path.join(root, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'sentinel'), 'untouched');
  runtime = createRuntimeServer({ ...DEFAULT_RUNTIME_CONFIG, host: '127.0.0.1', port: 0, baseDir, execTimeoutSeconds: 30, maxBodyBytes: CAP });
  port = await runtime.listen();
  url = `http://127.0.0.1:${port}`;
  fs.symlinkSync(outside, path.join(baseDir, 'link-out'));
  fs.symlinkSync(path.join(outside, 'created-through-link'), path.join(baseDir, 'dangling-out'));
  fs.symlinkSync('sub', path.join(baseDir, 'link-in'));
  fs.mkdirSync(path.join(baseDir, 'sub'));
});
afterAll(async () => {
  await runtime.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Nothing outside the workspace was created or changed. */
function expectOutsideUntouched(): void {
  expect(fs.readdirSync(outside)).toEqual(['sentinel']);
  expect(fs.readFileSync(path.join(outside, 'sentinel'), 'utf8')).toBe('untouched');
}

/** A one-part multipart body naming the file with RFC 5987 `filename*`, so any byte (NUL, quotes, CR) can be sent. */
function multipart(name: string, content: string | Buffer, boundary = 'b0undary'): { body: Buffer; contentType: string } {
  const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename*=utf-8''${encodeURIComponent(name)}\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), Buffer.from(content), Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(name: string, content: string | Buffer = 'x'): Promise<Response> {
  const { body, contentType } = multipart(name, content);
  return fetch(`${url}/upload`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

describe('uploads', () => {
  test('a body declared over the cap gets 413 before it is sent', async () => {
    const started = Date.now();
    const answer = await streamingUpload(port, 'too-big.bin', 300 * CAP);
    expect(answer).toEqual({ status: 413, body: { message: expect.stringMatching(new RegExp(`^request body of 3145\\d{5} bytes exceeds ${CAP} bytes$`)) } });
    // 300 MiB could not have been sent in this time over loopback through the test's event loop.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fs.existsSync(path.join(baseDir, 'too-big.bin'))).toBe(false);
  });

  test('an undeclared (chunked) body gets 413 once it passes the cap, not a reset, and leaves no file behind', async () => {
    const answer = await streamingUpload(port, 'chunked.bin', 20 * CAP, false);
    expect(answer).toEqual({ status: 413, body: { message: `request body exceeds ${CAP} bytes` } });
    expect(fs.readdirSync(baseDir).filter((n) => n.startsWith('.upload-') || n === 'chunked.bin')).toEqual([]);
  });

  test('a file just under the cap is stored whole', async () => {
    const content = Buffer.alloc(CAP - 200, 7);
    const res = await upload('sub/just-under.bin', content);
    expect(res.status).toBe(200);
    expect(fs.readFileSync(path.join(baseDir, 'sub', 'just-under.bin')).equals(content)).toBe(true);
  });

  test('a name that is a dangling symlink to outside is refused, and nothing is written there', async () => {
    const res = await upload('dangling-out', 'escaped');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'Access denied' });
    expectOutsideUntouched();
  });

  test('a NUL byte in the name is 400 with a message', async () => {
    const res = await upload('a\0b.txt');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'path must not contain a NUL byte' });
    const download = await fetch(`${url}/download/a%00b`);
    expect(download.status).toBe(400);
  });

  test.each([
    ['not multipart', 'application/json', '{"file":"x"}', 'Expected multipart/form-data with a "file" field'],
    ['no boundary', 'multipart/form-data', '--x\r\n', 'multipart body: Multipart: Boundary not found'],
    ['truncated', 'multipart/form-data; boundary=zz', '--zz\r\ncontent-disposition: form-data; name="file"; filename="t.txt"\r\n\r\nabc', expect.stringMatching(/^multipart body: .*unexpected end of multipart data$/i)],
    ['no file field', 'multipart/form-data; boundary=zz', '--zz\r\ncontent-disposition: form-data; name="other"\r\n\r\nabc\r\n--zz--\r\n', 'Missing multipart field "file" with a filename'],
  ])('a malformed body (%s) is 400 with a message', async (_case, contentType, body, message) => {
    const res = await fetch(`${url}/upload`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message });
  });

  test('a name that is the workspace itself or a directory is 400, not 500', async () => {
    for (const name of ['.', 'sub']) {
      const res = await upload(name);
      expect([name, res.status]).toEqual([name, 400]);
    }
  });
});

describe('timeouts kill everything the command started', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('a child that left the process group (setsid) neither holds the answer nor survives', async () => {
    const marker = path.join(baseDir, 'escaped-ran');
    const started = Date.now();
    const res = await fetch(`${url}/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: ['sh', '-c', `setsid sh -c 'sleep 3; touch ${marker}' & setsid sleep 30 & sleep 30`], timeout: 1 }),
    });
    const body = await res.json();
    expect(body).toMatchObject({ timed_out: true, exit_code: -9 });
    expect(Date.now() - started).toBeLessThan(2000);
    await sleep(3500);
    expect(fs.existsSync(marker)).toBe(false);
  }, 15_000);

  test('a streamed command that escaped is killed on cancel, with its exit reported promptly', async () => {
    const res = await fetch(`${url}/v1/exec/stream`, {
      method: 'POST',
      body: JSON.stringify({ command: ['sh', '-c', 'setsid sleep 30 & echo started; sleep 30'] }),
    });
    const id = res.headers.get('x-exec-id')!;
    const reader = res.body!.getReader();
    await reader.read();
    let escaped: string[] = [];
    for (let tries = 0; tries < 40 && escaped.length < 3; tries++, await sleep(50)) {
      escaped = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && readEnviron(p).includes(`${EXEC_ID_ENV}=`));
    }
    expect(escaped.length).toBe(3); // sh, its sleep, and the setsid sleep
    const cancelledAt = Date.now();
    expect((await fetch(`${url}/v1/exec/${id}/cancel`, { method: 'POST' })).status).toBe(202);
    let text = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += Buffer.from(chunk.value).toString();
    expect(Date.now() - cancelledAt).toBeLessThan(1000);
    expect(text).toContain('"cancelled":true');
    expect(escaped.filter((pid) => fs.existsSync(`/proc/${pid}`) && !isZombie(pid))).toEqual([]);
  });

  test('processesOf finds marked processes even after they were re-parented, and never the runtime', () => {
    expect(processesOf(process.pid, 'no-such-exec')).not.toContain(process.pid);
    expect(processesOf(undefined, 'no-such-exec')).toEqual([]);
  });
});

function readEnviron(pid: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}

function isZombie(pid: string): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('property-based', () => {
  /** Hundreds of real HTTP requests each: seconds on a quiet machine, more on a busy one. */
  const PROPERTY_TIMEOUT_MS = 120_000;
  const component = fc.oneof(
    fc.constantFrom('..', '.', '', 'link-out', 'dangling-out', 'link-in', 'sub', 'new', '%2e%2e', 'ü', '\\', 'a\0b', 'x'.repeat(300)),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );
  const pathName = fc.oneof(
    fc.array(component, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('/')),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );

  test('every path name: read endpoints answer 200/400/403/404, never 500, never outside', async () => {
    await fc.assert(fc.asyncProperty(pathName, async (name) => {
      for (const endpoint of ['download', 'list', 'exists']) {
        const res = await fetch(`${url}/${endpoint}/${encodeURIComponent(name)}`);
        expect([endpoint, name, [200, 400, 403, 404].includes(res.status)]).toEqual([endpoint, name, true]);
        await res.arrayBuffer();
      }
    }), { numRuns: 150 });
    expectOutsideUntouched();
  }, PROPERTY_TIMEOUT_MS);

  test('every path name: an upload lands inside the workspace or is refused with 400/403', async () => {
    const base = fs.realpathSync(baseDir);
    await fc.assert(fc.asyncProperty(pathName, async (name) => {
      const res = await upload(name, 'payload');
      expect([name, [200, 400, 403].includes(res.status)]).toEqual([name, true]);
      const answer = (await res.json()) as { path?: string };
      if (res.status === 200) expect(answer.path).toBe(name);
      expectOutsideUntouched();
      const leftovers = fs.readdirSync(base, { recursive: true, withFileTypes: true }).filter((e) => e.name.startsWith('.upload-'));
      expect([name, leftovers]).toEqual([name, []]);
    }), { numRuns: 150 });
  }, PROPERTY_TIMEOUT_MS);

  test('every multipart body: 200/400/403, never 500, and the runtime keeps answering', async () => {
    const boundary = 'pbt';
    const piece = fc.oneof(
      fc.constantFrom(`--${boundary}\r\n`, `--${boundary}--\r\n`, '\r\n', '\r\n\r\n', `\r\n--${boundary}`,
        'content-disposition: form-data; name="file"; filename="p.txt"\r\n', 'content-disposition: form-data; name="file"\r\n',
        "content-disposition: form-data; name=\"file\"; filename*=utf-8''%00\r\n", 'content-type: text/plain\r\n', 'content-disposition: \r\n'),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    const contentType = fc.constantFrom(`multipart/form-data; boundary=${boundary}`, 'multipart/form-data; boundary=', 'multipart/form-data; boundary="unterminated', 'multipart/mixed; boundary=pbt', 'text/plain');
    await fc.assert(fc.asyncProperty(fc.array(piece, { maxLength: 12 }), contentType, async (pieces, type) => {
      const res = await fetch(`${url}/upload`, { method: 'POST', headers: { 'content-type': type }, body: Buffer.from(pieces.join(''), 'latin1') });
      expect([pieces, type, [200, 400, 403].includes(res.status)]).toEqual([pieces, type, true]);
      await res.arrayBuffer();
    }), { numRuns: 200 });
    expect((await fetch(url)).status).toBe(200);
    expectOutsideUntouched();
  }, PROPERTY_TIMEOUT_MS);
});
