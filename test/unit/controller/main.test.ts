// Controller entry: flag errors exit non-zero with a clear message, --version/--help, warnings, lease namespace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultControllerConfig } from '../../../lib/api';
import { configWarnings, runController } from '../../../lib/controller/main';
import { leaderElectionNamespace } from '../../../lib/controller-runtime/leader-namespace';
import pkg from '../../../package.json';
import { tempDir } from '../../support/temp-dir';

function capture(stream: 'stdout' | 'stderr') {
  const chunks: string[] = [];
  const spy = jest.spyOn(process[stream], 'write').mockImplementation((c: string | Uint8Array) => { chunks.push(String(c)); return true; });
  return { text: () => chunks.join(''), restore: () => spy.mockRestore() };
}

describe('runController', () => {
  it('rejects unknown flags and invalid values with exit code 2 and names them', async () => {
    const err = capture('stderr');
    try {
      expect(await runController(['--no-such-flag', '--kube-api-burst=0', '--sandbox-concurrent-workers', 'many'])).toBe(2);
    } finally {
      err.restore();
    }
    expect(err.text()).toContain('unknown flag --no-such-flag');
    expect(err.text()).toMatch(/--kube-api-burst: must be >= 1/);
    expect(err.text()).toMatch(/"many" for --sandbox-concurrent-workers/);
  });

  it('prints the package version and the flag list', async () => {
    const out = capture('stdout');
    try {
      expect(await runController(['--version'])).toBe(0);
      expect(await runController(['--help'])).toBe(0);
    } finally {
      out.restore();
    }
    expect(out.text()).toContain(`${pkg.version}\n`);
    expect(out.text()).toContain('--sandbox-concurrent-workers');
  });

  it('needs a lease namespace when electing outside a pod', async () => {
    const err = capture('stderr');
    const saved = process.env.POD_NAMESPACE;
    delete process.env.POD_NAMESPACE;
    try {
      // A readable kubeconfig, so the lease namespace is the first problem (nothing connects before it is checked).
      const kubeconfig = join(tempDir('ask-kubeconfig-'), 'config');
      writeFileSync(kubeconfig, [
        'apiVersion: v1', 'kind: Config', 'current-context: c',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t}}]', 'contexts: [{name: c, context: {cluster: c, user: u}}]',
      ].join('\n'));
      expect(await runController(['--leader-elect=true', `--kubeconfig=${kubeconfig}`])).toBe(2);
    } finally {
      err.restore();
      if (saved !== undefined) process.env.POD_NAMESPACE = saved;
    }
    expect(err.text()).toContain('--leader-election-namespace');
  });
});

describe('configWarnings', () => {
  it('warns like upstream about huge worker pools and workers above the burst', () => {
    const config = defaultControllerConfig();
    expect(configWarnings(config)).toEqual([]);
    expect(configWarnings({ ...config, sandboxConcurrentWorkers: 990 })).toEqual([expect.stringContaining('exceed 1000')]);
    expect(configWarnings({ ...config, kubeApiQps: 50 })).toEqual([expect.stringContaining('--kube-api-burst')]);
  });
});

describe('leaderElectionNamespace', () => {
  it('prefers the flag, then POD_NAMESPACE, then the ServiceAccount file', () => {
    const file = join(tempDir('ask-ns-'), 'namespace');
    writeFileSync(file, 'from-file\n');
    expect(leaderElectionNamespace('flag', { POD_NAMESPACE: 'env' }, file)).toBe('flag');
    expect(leaderElectionNamespace('', { POD_NAMESPACE: 'env' }, file)).toBe('env');
    expect(leaderElectionNamespace('', {}, file)).toBe('from-file');
    expect(() => leaderElectionNamespace('', {}, '/nonexistent')).toThrow(/--leader-election-namespace/);
  });
});
