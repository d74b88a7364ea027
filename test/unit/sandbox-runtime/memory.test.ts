// Issue 21's memory bounds on the shipped runtime (compiled JavaScript, its own process, RSS sampled every
// 20 ms from /proc): a client that stops reading a 500 MB exec stream, and 3 × 250 MB uploads at once.
// `npm run bench -- --scenarios runtime-memory` reports the same figures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureRuntimeMemory, RUNTIME_MEMORY_DEFAULTS, type RuntimeMemoryResult } from '../../bench/runtime-memory';

const BOUND_MIB = 128;
let workDir: string;
let result: RuntimeMemoryResult;

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-memory-'));
  result = await measureRuntimeMemory(workDir);
}, 180_000);
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

test('a client that reads nothing for 3 s does not grow the runtime, and still gets the whole 500 MB stream', () => {
  expect(result.streamPeakMiB).toBeLessThan(BOUND_MIB);
  expect(result.stream.exit).toEqual({ type: 'exit', exit_code: 0, timed_out: false, cancelled: false });
  // 'y\n' is 2 bytes of output and 3 bytes of JSON ("y\n" escaped), plus the event framing.
  expect(result.stream.bytesRead).toBeGreaterThan(RUNTIME_MEMORY_DEFAULTS.streamBytes * 1.5);
});

test('3 concurrent 250 MB uploads stay under the bound and land whole', () => {
  expect(result.uploadsPeakMiB).toBeLessThan(BOUND_MIB);
  expect(result.uploads.map((u) => [u.status, u.body.size])).toEqual(Array(3).fill([200, RUNTIME_MEMORY_DEFAULTS.uploadBytes]));
  for (let i = 0; i < 3; i++) {
    expect(fs.statSync(path.join(workDir, 'app', 'uploads', `big-${i}.bin`)).size).toBe(RUNTIME_MEMORY_DEFAULTS.uploadBytes);
  }
});
