// Finds and kills every process one command started, including those that left its process group
// (`setsid`, double forks): each command carries a marker in its environment, which its descendants
// inherit even after they are re-parented, and the parent links in /proc catch those that cleared it.
import * as fs from 'node:fs';

/** Environment variable naming the command a process belongs to. */
export const EXEC_ID_ENV = 'SANDBOX_EXEC_ID';

/** A killed process can fork once more before it dies; rescan until a pass finds nothing left. */
const MAX_KILL_PASSES = 5;

interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly marked: boolean;
}

function readProcess(pid: number, marker: Buffer): ProcessEntry | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may contain spaces and parentheses; state and ppid follow the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') return undefined; // dead already, only waiting to be reaped
    const environ = fs.readFileSync(`/proc/${pid}/environ`);
    return { pid, ppid: Number(ppid), marked: environ.indexOf(marker) >= 0 };
  } catch {
    return undefined; // exited meanwhile, or not ours to read
  }
}

/** Processes descended from `rootPid` or marked with `execId`, never this process itself. */
export function processesOf(rootPid: number | undefined, execId: string): number[] {
  const marker = Buffer.from(`${EXEC_ID_ENV}=${execId}\0`);
  const entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number)
    .filter((pid) => pid !== process.pid)
    .map((pid) => readProcess(pid, marker))
    .filter((entry): entry is ProcessEntry => entry !== undefined);
  const found = new Set(entries.filter((e) => e.marked || e.pid === rootPid).map((e) => e.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const entry of entries) {
      if (!found.has(entry.pid) && found.has(entry.ppid)) {
        found.add(entry.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** SIGKILLs the command's process group, then everything it started elsewhere, until nothing is left. */
export function killCommand(rootPid: number | undefined, execId: string): void {
  if (rootPid !== undefined) kill(-rootPid);
  for (let pass = 0; pass < MAX_KILL_PASSES; pass++) {
    const pids = processesOf(rootPid, execId);
    if (pids.length === 0) return;
    pids.forEach(kill);
  }
}
