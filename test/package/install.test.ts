// The package as a user gets it: `npm pack`, installed into fresh apps that use the tsconfig files `cdk8s init
// typescript-app` and `pulumi new typescript` write, type-checked without skipLibCheck and synthesized; and the SDK
// entry point installed alone, to see what it pulls in. Installs come from npm's cache when it is warm.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(600_000);

const repo = join(__dirname, '..', '..');
const version = (pkg: string): string => require(`${pkg}/package.json`).version;
const bin = (pkg: string, path: string): string => join(repo, 'node_modules', pkg, path);
const tsc = bin('typescript', 'bin/tsc');

let root: string;
let tarball: string;

function run(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: 'pipe' });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** A fresh directory with a package.json, `packages` installed from the tarball and npm's cache. */
function app(name: string, packages: string[], files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  run(dir, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball, ...packages]);
  return dir;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ask-package-'));
  // prepack builds first, exactly as for a publish.
  const name = run(repo, 'npm', ['pack', '--pack-destination', root, '--silent']).trim().split('\n').pop()!;
  tarball = join(root, name);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the tarball holds the build, LICENSE and README only: no tests, scripts, sources or k8s L1s', () => {
  const files = run(root, 'tar', ['-tzf', tarball]).trim().split('\n').map((f) => f.replace(/^package\//, ''));
  expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'build/lib/index.js', 'build/lib/client/cli.js', 'build/imports/agents.x-k8s.io.d.ts']));
  expect(files.filter((f) => !f.startsWith('build/') && !['LICENSE', 'README.md', 'package.json'].includes(f))).toEqual([]);
  expect(files.filter((f) => /\.test\.|\.map$|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  expect(files).not.toContain('build/imports/k8s.js');
  const manifest = JSON.parse(run(root, 'tar', ['-xzOf', tarball, 'package/package.json']));
  expect(manifest).toMatchObject({ license: 'Apache-2.0', repository: { type: 'git' } });
  expect(readFileSync(join(repo, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
});

// `cdk8s init typescript-app`'s tsconfig.json (module CommonJS, no moduleResolution: node10 resolution, lib es2016).
const CDK8S_INIT_TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true, declaration: true, experimentalDecorators: true, inlineSourceMap: true, inlineSources: true,
    lib: ['es2016'], module: 'CommonJS', noEmit: false, noEmitOnError: true, noFallthroughCasesInSwitch: true,
    noImplicitAny: true, noImplicitReturns: true, noImplicitThis: true, noUnusedLocals: true, noUnusedParameters: true,
    resolveJsonModule: true, strict: true, strictNullChecks: true, strictPropertyInitialization: true, stripInternal: true,
    target: 'ES2017',
  },
  include: ['**/*.ts'],
  exclude: ['node_modules'],
};

const CDK8S_MAIN = `import { App, ApiObject, Chart } from 'cdk8s';
import { AgentSandboxSystem, SandboxCrds, SandboxRouter, TeamSandboxes } from 'agent-sandbox-kit';
import { SandboxClient } from 'agent-sandbox-kit/client';
import { SandboxTemplate as L1SandboxTemplate, SandboxTemplateSpecPodTemplateSpecContainersResourcesLimits as L1Quantity } from 'agent-sandbox-kit/l1/extensions';

const app = new App();
const crds = new Chart(app, 'crds');
new SandboxCrds(crds, 'crds');
const platform = new Chart(app, 'platform');
platform.addDependency(crds);
new AgentSandboxSystem(platform, 'system', { installCrds: false, flags: { extensions: true } });
new SandboxRouter(platform, 'router');
const teams = new Chart(app, 'teams');
teams.addDependency(platform);
const team = new TeamSandboxes(teams, 'ml', { name: 'ml', agents: { groups: ['ml-agents'] } });
const pod = {
  runtimeClassName: 'gvisor', automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
};
const container = {
  name: 'runtime', image: 'ghcr.io/acme/runtime:1',
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
};
team.addTemplate('python', {
  name: 'python',
  podTemplate: { spec: { ...pod, containers: [{ ...container, resources: { limits: { cpu: '1', memory: '1Gi' } } }] } },
}).addWarmPool('pool', { replicas: 2 });
// Typed L1 access to our CRDs from the package (quantities are L1 classes there).
const limits = { cpu: L1Quantity.fromString('1'), memory: L1Quantity.fromString('1Gi') };
new L1SandboxTemplate(teams, 'l1', {
  metadata: { name: 'l1-template', namespace: 'ml' },
  spec: { podTemplate: { spec: { ...pod, containers: [{ ...container, resources: { limits } }] } } },
});
if (process.env.ADD_PRIVILEGED_POD) {
  // Not through our constructs: only the validation plugin sees it.
  new ApiObject(teams, 'raw', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'raw', namespace: 'ml' },
    spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] } });
}
export const clientType: typeof SandboxClient = SandboxClient;
app.synth();
`;

const CDK8S_YAML = `language: typescript
app: node main.js
validations:
  - package: ./node_modules/agent-sandbox-kit
    class: AgentSandboxGuardrails
    version: 0.0.0
    properties:
      profile: restricted
`;

test('a cdk8s init app type-checks against the package, synthesizes, and runs the validation plugin', () => {
  const dir = app('cdk8s-app', [`cdk8s@${version('cdk8s')}`, `constructs@${version('constructs')}`, `@types/node@${version('@types/node')}`], {
    'tsconfig.json': JSON.stringify(CDK8S_INIT_TSCONFIG, null, 2), 'main.ts': CDK8S_MAIN, 'cdk8s.yaml': CDK8S_YAML,
  });
  run(dir, process.execPath, [tsc, '-p', '.']);
  const cdk8s = bin('cdk8s-cli', 'bin/cdk8s');
  run(dir, process.execPath, [cdk8s, 'synth', '--no-check-upgrade']);
  // Charts with dependencies are numbered in apply order; the plugin's construct-metadata.json is left beside them.
  expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['0000-crds.k8s.yaml', '0001-platform.k8s.yaml', '0002-teams.k8s.yaml', 'construct-metadata.json']);
  const teams = readFileSync(join(dir, 'dist', '0002-teams.k8s.yaml'), 'utf8');
  expect(teams).toMatch(/kind: SandboxWarmPool\nmetadata:\n  name: python\n/);
  expect(readFileSync(join(dir, 'dist', '0001-platform.k8s.yaml'), 'utf8')).not.toContain('kind: CustomResourceDefinition');
  expect(() => run(dir, process.execPath, [cdk8s, 'synth', '--no-check-upgrade'], { ADD_PRIVILEGED_POD: '1' })).toThrow(/privileged/);
});

// `pulumi new typescript`'s tsconfig.json before March 2026 (commonjs + node10 resolution) and since (nodenext).
const PULUMI_TSCONFIG = (module: string, moduleResolution: string) => ({
  compilerOptions: {
    strict: true, outDir: 'bin', target: 'es2020', module, moduleResolution, sourceMap: true, experimentalDecorators: true,
    pretty: true, noFallthroughCasesInSwitch: true, noImplicitReturns: true, forceConsistentCasingInFileNames: true,
  },
  files: ['index.ts'],
});

const PULUMI_INDEX = `import * as pulumi from '@pulumi/pulumi';
import { AgentSandboxSystem, SandboxCrds, SandboxRouter, TeamSandboxes } from 'agent-sandbox-kit/pulumi';

const crds = new SandboxCrds('crds');
const system = new AgentSandboxSystem('agent-sandbox', { installCrds: false, image: pulumi.output('registry.local/controller:1') }, { dependsOn: [crds] });
new SandboxRouter('router', {}, { dependsOn: [system] });
new TeamSandboxes('ml', {
  name: 'ml', agents: { groups: ['ml-agents'] },
  templates: [{ name: 'python', podTemplate: { spec: {
    runtimeClassName: 'gvisor', automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'runtime', image: 'ghcr.io/acme/runtime:1', resources: { limits: { cpu: '1', memory: '1Gi' } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  } } }],
  warmPools: [{ name: 'python', templateName: 'python', replicas: 2 }],
}, { dependsOn: [system] });
export const namespace = system.namespace;
`;

// Runs the compiled program under Pulumi's mocks (no engine, no cluster) and prints the registered resource types.
const PULUMI_RUN = `const pulumi = require('@pulumi/pulumi');
const types = [];
pulumi.runtime.setMocks({
  newResource: (args) => { types.push(args.type); return { id: args.name + '-id', state: args.inputs }; },
  call: (args) => args.inputs,
}, 'app', 'dev', false);
require('./bin/index.js');
setTimeout(() => console.log(JSON.stringify(types)), 3000);
`;

test('a pulumi new typescript app type-checks against the package under both template tsconfigs and runs', () => {
  const dir = app('pulumi-app', [`@pulumi/pulumi@${version('@pulumi/pulumi')}`, `@pulumi/kubernetes@${version('@pulumi/kubernetes')}`, `@types/node@${version('@types/node')}`], {
    'tsconfig.json': JSON.stringify(PULUMI_TSCONFIG('commonjs', 'node'), null, 2),
    'tsconfig.nodenext.json': JSON.stringify(PULUMI_TSCONFIG('nodenext', 'nodenext'), null, 2),
    'index.ts': PULUMI_INDEX, 'run-with-mocks.js': PULUMI_RUN,
  });
  run(dir, process.execPath, [tsc, '-p', 'tsconfig.nodenext.json', '--noEmit']);
  run(dir, process.execPath, [tsc, '-p', '.']);
  const types: string[] = JSON.parse(run(dir, process.execPath, ['run-with-mocks.js']).trim().split('\n').pop()!);
  expect(types).toEqual(expect.arrayContaining([
    'agent-sandbox-kit:index:SandboxCrds', 'agent-sandbox-kit:index:AgentSandboxSystem', 'agent-sandbox-kit:index:TeamSandboxes',
    'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition', 'kubernetes:extensions.agents.x-k8s.io/v1beta1:SandboxWarmPool',
  ]));
});

test('the SDK and CLI install without cdk8s, constructs or Pulumi, and the CLI runs', () => {
  const dir = app('sdk-only', [], {});
  const installed = readdirSync(join(dir, 'node_modules')).flatMap((name) =>
    name.startsWith('@') ? readdirSync(join(dir, 'node_modules', name)).map((sub) => `${name}/${sub}`) : [name]);
  for (const framework of ['cdk8s', 'constructs', '@pulumi/pulumi', '@pulumi/kubernetes', '@pulumi/policy']) expect(installed).not.toContain(framework);
  const megabytes = Number(run(dir, 'du', ['-sm', 'node_modules']).split('\t')[0]);
  console.log(`SDK-only install: ${installed.length} packages, ${megabytes} MB: ${installed.join(' ')}`);
  expect(run(dir, process.execPath, ['-e', "const c = require('agent-sandbox-kit/client'); console.log(typeof c.SandboxClient)"]).trim()).toBe('function');
  expect(run(dir, join(dir, 'node_modules', '.bin', 'agent-sandbox'), ['--version']).trim()).toBe(version(repo));
  expect(existsSync(join(dir, 'node_modules', 'agent-sandbox-kit', 'LICENSE'))).toBe(true);
});
