// imports/ is generated (npm run import): this fails when it is stale against our CRDs or the pinned
// Kubernetes schema, and checks the generated L1 classes produce the same wire objects as our builders.

import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { buildRuntimeClass, buildSandboxWarmPool, gvisorRuntimeClass } from '../../../lib/builders';
import { generateImports, IMPORTS_DIR } from '../../../scripts/import';
import { SandboxWarmPool, SandboxWarmPoolSpecUpdateStrategyType } from '../../../imports/extensions.agents.x-k8s.io';
import { KubeRuntimeClass, Quantity } from '../../../imports/k8s';

describe('imports/', () => {
  test('is up to date with the CRDs and the Kubernetes schema (run `npm run import` if this fails)', async () => {
    // GIVEN a fresh generation into a temporary directory
    const outdir = mkdtempSync(join(tmpdir(), 'imports-'));
    try {
      await generateImports(outdir);
      // THEN the committed files are identical
      const files = readdirSync(outdir).sort();
      expect(readdirSync(IMPORTS_DIR).sort()).toEqual(files);
      expect(files).toEqual(['agents.x-k8s.io.ts', 'extensions.agents.x-k8s.io.ts', 'k8s.ts']);
      for (const file of files) expect([file, readFileSync(join(IMPORTS_DIR, file), 'utf8') === readFileSync(join(outdir, file), 'utf8')]).toEqual([file, true]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);

  test('generated L1 classes and the builders agree on the wire format', () => {
    const chart = Testing.chart();
    const pool = new SandboxWarmPool(chart, 'pool', {
      metadata: { name: 'py', namespace: 'team' },
      spec: { replicas: 3, sandboxTemplateRef: { name: 'python' }, updateStrategy: { type: SandboxWarmPoolSpecUpdateStrategyType.RECREATE } },
    });
    expect(pool.toJson()).toEqual(buildSandboxWarmPool({ name: 'py', namespace: 'team', templateName: 'python', replicas: 3, updateStrategy: 'Recreate' }));
    const preset = gvisorRuntimeClass();
    const rc = new KubeRuntimeClass(chart, 'rc', {
      metadata: { name: preset.name }, handler: preset.handler,
      overhead: { podFixed: Object.fromEntries(Object.entries(preset.overhead!).map(([k, v]) => [k, Quantity.fromString(v)])) },
      scheduling: { nodeSelector: preset.nodeSelector, tolerations: [...preset.tolerations!] },
    });
    expect(rc.toJson()).toEqual(buildRuntimeClass(preset));
  });
});
