// The package's Pulumi entry points: `agent-sandbox-kit/pulumi` never reaches @pulumi/policy (so users of the
// components need neither the package nor its types), and `agent-sandbox-kit/pulumi/policy` carries the pack's rule.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as ts from 'typescript';

const repoRoot = resolve(__dirname, '../../..');

/** Every bare module specifier reachable from `entry` through relative imports (types included). */
function packagesReachedFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) { packages.add(fileName); continue; }
      if (fileName.endsWith('.json')) continue; // data, imports nothing
      const base = join(dirname(file), fileName);
      const target = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
      if (!target) throw new Error(`${file}: cannot resolve ${fileName}`);
      visit(target);
    }
  };
  visit(join(repoRoot, entry));
  return packages;
}

test('agent-sandbox-kit/pulumi does not reach @pulumi/policy', () => {
  const packages = [...packagesReachedFrom('lib/pulumi/index.ts')];
  expect(packages).toContain('@pulumi/pulumi');
  expect(packages.filter((name) => name.startsWith('@pulumi/policy'))).toEqual([]);
});

test('agent-sandbox-kit/pulumi/policy is exported and carries the guardrail policy', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> };
  expect(pkg.exports['./pulumi/policy'].default).toBe('./build/lib/pulumi/policy/index.js');
  expect(packagesReachedFrom('lib/pulumi/policy/index.ts')).toContain('@pulumi/policy');
});
