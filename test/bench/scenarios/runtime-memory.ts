// Scenario runtime-memory: peak RSS of the in-sandbox runtime (its own process) with a client that stops
// reading a 500 MB exec stream, and with 3 × 250 MB concurrent uploads (see ../runtime-memory.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureRuntimeMemory } from '../runtime-memory';
import type { Scenario } from '../scenario';

export const runtimeMemory: Scenario = {
  name: 'runtime-memory',
  description: 'sandbox runtime peak RSS: non-reading client on a 500 MB exec stream; 3 × 250 MB concurrent uploads',
  async run(ctx) {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-runtime-memory-'));
    try {
      const r = await measureRuntimeMemory(workDir);
      ctx.log(`runtime-memory: idle ${r.idleMiB.toFixed(0)} MiB, stalled 500 MB stream peak ${r.streamPeakMiB.toFixed(0)} MiB, 3 × 250 MB uploads peak ${r.uploadsPeakMiB.toFixed(0)} MiB`);
      return [
        { scenario: 'runtime-memory', metric: 'runtime RSS idle', value: Math.round(r.idleMiB), unit: 'MiB' },
        { scenario: 'runtime-memory', metric: 'runtime RSS peak, 500 MB stream to a stalled client', value: Math.round(r.streamPeakMiB), unit: 'MiB', target: '< 128' },
        { scenario: 'runtime-memory', metric: 'runtime RSS peak, 3 × 250 MB concurrent uploads', value: Math.round(r.uploadsPeakMiB), unit: 'MiB', target: '< 128', details: { statuses: r.uploads.map((u) => u.status) } },
      ];
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  },
};
