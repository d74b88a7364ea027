// Invariants of the controller Dockerfile (the image also carries the router) (no container engine here): non-root numeric user, production-only
// dependencies in the final stage, image version tied to the package version, entry point that exists.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTER_COMMAND } from '../../../lib/builders/router';

const root = join(__dirname, '../../..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
// Instructions with line continuations joined and comments dropped.
const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const stages: string[][] = [];
for (const line of instructions) {
  if (/^FROM /i.test(line)) stages.push([]);
  stages[stages.length - 1]?.push(line);
}
const finalStage = stages[stages.length - 1];
const stageName = (stage: string[]) => /\bAS\s+(\S+)/i.exec(stage[0])?.[1];

describe('controller Dockerfile', () => {
  it('is multi-stage on a Node.js LTS (even major) base', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const base = /^ARG NODE_IMAGE=node:(\d+)/m.exec(dockerfile);
    expect(base).not.toBeNull();
    expect(Number(base![1]) % 2).toBe(0);
    expect(Number(base![1])).toBeGreaterThanOrEqual(20);
  });

  it('runs as a numeric non-root user in the final stage', () => {
    const user = finalStage.filter((l) => /^USER /i.test(l)).pop();
    expect(user).toBeDefined();
    const [uid, gid] = user!.split(/\s+/)[1].split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    if (gid !== undefined) expect(Number(gid)).toBeGreaterThan(0);
  });

  it('copies node_modules only from a stage that installed production dependencies', () => {
    const copies = finalStage.filter((l) => /^COPY --from=/i.test(l) && /node_modules/.test(l));
    expect(copies).toHaveLength(1);
    const from = /--from=(\S+)/.exec(copies[0])![1];
    const source = stages.find((s) => stageName(s) === from)!;
    expect(source.some((l) => /npm ci .*--omit=dev/.test(l))).toBe(true);
    // The final stage never installs packages itself, nor copies the build stage's (dev) node_modules.
    expect(finalStage.some((l) => /npm (ci|install)/.test(l))).toBe(false);
    expect(finalStage.some((l) => /^COPY (?!--from)/i.test(l) && /node_modules|\s\.\s/.test(l))).toBe(false);
  });

  it('labels the image with a VERSION arg that must equal the package version', () => {
    expect(finalStage).toContain('ARG VERSION');
    expect(dockerfile).toMatch(/org\.opencontainers\.image\.version="\$\{VERSION\}"/);
    expect(dockerfile).toMatch(/test "\$\{VERSION\}" = "\$\(node -p "require\('\.\/package\.json'\)\.version"\)"/);
  });

  it('starts the compiled controller entry point directly (no npm, nothing written at runtime)', () => {
    const entry = finalStage.find((l) => /^ENTRYPOINT /i.test(l))!;
    expect(JSON.parse(entry.replace(/^ENTRYPOINT\s+/i, ''))).toEqual(['node', 'build/lib/controller/main.js']);
    expect(existsSync(join(root, 'lib/controller/main.ts'))).toBe(true);
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.controller.json'), 'utf8'));
    expect(tsconfig.files).toEqual(['lib/controller/main.ts', 'lib/router/main.ts']);
  });

  it('carries the router entry point the SandboxRouter builder runs', () => {
    // GIVEN the command the router Deployment runs in this image
    const [node, script] = ROUTER_COMMAND;
    // THEN it is the compiled form of a file the image build compiles
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.controller.json'), 'utf8'));
    expect(node).toBe('node');
    expect(tsconfig.files.map((f: string) => `build/${f.replace(/\.ts$/, '.js')}`)).toContain(script);
    expect(existsSync(join(root, 'lib/router/main.ts'))).toBe(true);
  });

  it('keeps local state out of the build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'build', '.cluster', '.git']) expect(ignored).toContain(entry);
  });
});
