// Issue 21: a third-party scanner (kube-score) reads what we ship — the synthesized example platform, the
// SandboxRouter with its defaults, and the Pods the controller makes from the example templates — and every
// finding is either fixed or listed with its reason in kube-score-exceptions.yaml.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { renderedObjects } from './rendered';

const toolsDir = join(__dirname, '..', '..', 'cluster', 'tools');
/** Checks kube-score leaves off by default that still matter here. */
const OPTIONAL_CHECKS = ['container-seccomp-profile', 'container-ports-check', 'container-ephemeral-storage-request-equals-limit'];

/** The pinned kube-score from the version-keyed cache, built by test/cluster/tools/install.sh when missing. */
function kubeScore(): string {
  const version = /^KUBE_SCORE_VERSION=(.+)$/m.exec(readFileSync(join(toolsDir, 'versions.env'), 'utf8'))![1]!;
  const cache = process.env.TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'agent-sandbox-kit');
  const binary = join(cache, `kube-score-${version}`, 'kube-score');
  if (!existsSync(binary)) execFileSync(join(toolsDir, 'install.sh'), { stdio: ['ignore', 2, 2] });
  if (!existsSync(binary)) throw new Error(`kube-score ${version} missing after ${join(toolsDir, 'install.sh')}: expected ${binary}`);
  return binary;
}

interface ScoredObject {
  type_meta: { kind: string };
  object_meta: { name: string; namespace?: string };
  checks: Array<{ check: { id: string }; grade: number; skipped: boolean; comments: Array<{ summary: string }> | null }>;
}
interface Exception { check: string; objects: string[]; reason: string }

const GRADE_ALL_OK = 10;
const objectName = (o: ScoredObject) => `${o.type_meta.kind} ${o.object_meta.namespace ?? ''}/${o.object_meta.name}`;

let scored: ScoredObject[];
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-score-'));
  try {
    const file = join(dir, 'rendered.yaml');
    writeFileSync(file, renderedObjects().map((o) => stringify(o)).join('---\n'));
    const args = ['score', '--kubernetes-version', 'v1.36', '--output-format', 'json', ...OPTIONAL_CHECKS.flatMap((c) => ['--enable-optional-test', c]), file];
    // kube-score exits 1 when it finds anything critical; the findings are judged below, not by its exit code.
    const run = spawnSync(kubeScore(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.error || !run.stdout.startsWith('[')) throw new Error(`kube-score failed: ${run.error?.message ?? run.stderr}`);
    scored = JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 600_000);

test('the scan covers the platform, the router and the rendered sandbox Pods', () => {
  expect(scored.map(objectName)).toEqual(expect.arrayContaining([
    'Deployment agent-sandbox-system/agent-sandbox-controller', 'Deployment agent-sandbox-system/sandbox-router',
    'NetworkPolicy agent-sandbox-system/agent-sandbox-controller', 'Pod analytics/python-code-interpreter-member', 'Pod browser/headless-chromium-member',
  ]));
});

test('every kube-score finding is fixed or explained in kube-score-exceptions.yaml, and every exception is still needed', () => {
  const exceptions: Exception[] = parse(readFileSync(join(__dirname, 'kube-score-exceptions.yaml'), 'utf8'));
  expect(exceptions.every((e) => e.reason.trim().length > 40)).toBe(true);
  const explained = (check: string, object: string) => exceptions.some((e) => e.check === check && e.objects.includes(object));
  const findings = scored.flatMap((o) => o.checks.filter((c) => !c.skipped && c.grade < GRADE_ALL_OK).map((c) => ({ check: c.check.id, object: objectName(o), summaries: (c.comments ?? []).map((m) => m.summary) })));
  expect(findings.filter((f) => !explained(f.check, f.object))).toEqual([]);
  const stale = exceptions.flatMap((e) => e.objects.filter((object) => !findings.some((f) => f.check === e.check && f.object === object)).map((object) => `${e.check}: ${object}`));
  expect(stale).toEqual([]);
});
