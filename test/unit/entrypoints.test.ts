// The controller and router processes as an operator starts them: flag help, and one line without a stack when
// there is no kubeconfig or a named one is missing.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir';

jest.setTimeout(60_000);

const lib = join(__dirname, '..', '..', 'lib');

function start(entry: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: tempDir('ask-home-') };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(lib, entry), ...args], { env, timeout: 50_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
}

const NO_KUBECONFIG = /no kubeconfig found: \$KUBECONFIG is not set, .+ does not exist, and this is not a pod with a ServiceAccount token \(in-cluster\)/;

test.each([
  ['controller/main.ts', 'error: '],
  ['router/main.ts', 'sandbox-router: '],
])('%s: --help lists flags; no kubeconfig and a missing one are one line each', async (entry, prefix) => {
  const help = await start(entry, ['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/--kubeconfig/);
  const none = await start(entry, []);
  expect(none.code).toBe(1);
  expect(none.stderr.trim().split('\n')).toHaveLength(1);
  expect(none.stderr.startsWith(prefix)).toBe(true);
  expect(none.stderr).toMatch(NO_KUBECONFIG);
  expect(await start(entry, ['--kubeconfig', '/nonexistent'])).toMatchObject({ code: 1, stderr: `${prefix}kubeconfig /nonexistent does not exist\n` });
});
