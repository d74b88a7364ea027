// Runs quickstart.py (upstream's quick-start flow with upstream's Python SDK) and checks what each step printed; shared
// by the direct-mode test on the kwok plane and the tunnel-mode test on the real node.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pythonWithSdk } from './python-sdk';

/** What the script printed, by step name. */
export type QuickstartSteps = Record<string, any>;

export interface QuickstartRun {
  steps: QuickstartSteps;
  exitCode: number | null;
  /** stderr when it holds a Python traceback, else ''. */
  traceback: string;
}

/**
 * Runs the flow with `env` (see quickstart.py) added to this process's; `atWaiting` runs when the script pauses with
 * its live handle, before it uses it again.
 */
export async function runQuickstart(env: Record<string, string>, atWaiting: (steps: QuickstartSteps) => Promise<void> = async () => undefined): Promise<QuickstartRun> {
  const child = spawn(await pythonWithSdk(), [join(__dirname, 'quickstart.py')], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const steps: QuickstartSteps = {};
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      const event = JSON.parse(line);
      steps[event.step] = event;
      if (event.step !== 'waiting') continue;
      await atWaiting(steps);
      child.stdin.write('go\n');
    }
  } catch (err) {
    // The script would wait on stdin for good (and keep jest from exiting).
    child.kill();
    throw err;
  }
  return { steps, exitCode: await exited, traceback: stderr.includes('Traceback') ? stderr : '' };
}

/** The flow did what upstream's quick start shows, with a sandbox adopted from pool `pool`. */
export function expectQuickstartFlow(run: QuickstartRun, pool: string): void {
  const { steps } = run;
  expect([run.exitCode, run.traceback]).toEqual([0, '']);
  expect(steps.claimed.sandbox).toMatch(new RegExp(`^${pool}-`)); // adopted from the warm pool
  expect(steps.run).toMatchObject({ stdout: 'Hello from Agent Sandbox!\n', exit_code: 0, timed_out: false });
  expect(steps['run-timeout']).toMatchObject({ timed_out: true });
  expect(steps['run-timeout'].stderr).toContain("Failed to execute command: Command '['sleep', '30']' timed out after 1.0 seconds");
  expect(steps.read.content).toBe('print("Hello, World! Greetings from inside the sandbox.")\n');
  expect(steps.list.names).toContain('hello.py');
  expect(steps.exists).toEqual({ step: 'exists', present: true, absent: false });
  expect(steps['run-file'].stdout).toBe('Hello, World! Greetings from inside the sandbox.\n');
  expect(steps['after-replacement'].stdout).toBe('still here\n');
  expect(steps.terminated).toBeDefined();
}
