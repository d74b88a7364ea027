// Starts control plane components as detached background processes (they outlive the caller, so a
// later `cluster:up` or jest run can reuse them) and stops exactly the processes we recorded.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** Starts `bin` with stdout+stderr going to `logFile` (truncated); returns its pid. */
export function startDetached(bin: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): number {
  const log = openSync(logFile, 'w');
  try {
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', log, log], env });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${bin}; see ${logFile}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** True if `pid` is alive and still runs `bin` (guards against a recycled pid). */
export function isRunning(pid: number, bin: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === bin;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM, then SIGKILL after `graceMs`; only if the pid still runs `bin`. */
export async function stopProcess(pid: number, bin: string, graceMs = 10_000): Promise<void> {
  if (!isRunning(pid, bin)) return;
  process.kill(pid, 'SIGTERM');
  for (const deadline = Date.now() + graceMs; Date.now() < deadline; await sleep(50)) {
    if (!isRunning(pid, bin)) return;
  }
  process.kill(pid, 'SIGKILL');
}
