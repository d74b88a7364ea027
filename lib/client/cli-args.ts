// Command line of the agent-sandbox CLI: which flags each command accepts, and usage errors (exit code 2)
// that name the offending flag or argument, raised before anything talks to the cluster.

/** A malformed invocation; the CLI prints the message and the usage text and exits with code 2. */
export class UsageError extends Error {}

export const USAGE = `usage: agent-sandbox <command> [flags]
  claim --pool POOL [--name NAME] [--ttl SECONDS] [--timeout SECONDS]
                                claim a sandbox from a warm pool, wait until Ready, print the claim name
  exec --claim NAME -- CMD...   run CMD in the sandbox, stream its output, exit with its exit code
  cp SOURCE DESTINATION         copy a file; exactly one side is "<claim>:<path>"
  terminate --claim NAME        delete the claim and its sandbox
common flags:
  --namespace NS     default "default"
  --router-url URL   default $AGENT_SANDBOX_ROUTER_URL; without one, connect directly to pod IPs (in-cluster)
  --token TOKEN      bearer token for the router, default $AGENT_SANDBOX_TOKEN
  --kubeconfig FILE  default $KUBECONFIG, ~/.kube/config or in-cluster`;

const COMMON_FLAGS = ['namespace', 'router-url', 'token', 'kubeconfig'];

const COMMANDS = {
  claim: { flags: ['pool', 'name', 'ttl', 'timeout'], required: ['pool'], operands: 0 },
  exec: { flags: ['claim'], required: ['claim'], operands: 0 },
  cp: { flags: [], required: [], operands: 2 },
  terminate: { flags: ['claim'], required: ['claim'], operands: 0 },
} as const;

export type Command = keyof typeof COMMANDS;

export interface Invocation {
  readonly command: Command | 'help';
  readonly flags: ReadonlyMap<string, string>;
  /** Positional arguments before `--` (cp's SOURCE and DESTINATION). */
  readonly operands: readonly string[];
  /** Everything after `--` (exec's command line). */
  readonly commandLine: readonly string[];
}

const isCommand = (name: string): name is Command => Object.hasOwn(COMMANDS, name);

/** Parses and validates `argv` (without node and script); throws UsageError. */
export function parseInvocation(argv: readonly string[]): Invocation {
  const [command = '', ...args] = argv;
  if (['help', '--help', '-h'].includes(command)) return { command: 'help', flags: new Map(), operands: [], commandLine: [] };
  if (!isCommand(command)) throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'a command is required');
  const spec = COMMANDS[command];
  const known: readonly string[] = [...spec.flags, ...COMMON_FLAGS];
  const flags = new Map<string, string>();
  const operands: string[] = [];
  const separator = args.indexOf('--');
  const before = separator < 0 ? args : args.slice(0, separator);
  for (let i = 0; i < before.length; i++) {
    const arg = before[i]!;
    if (!arg.startsWith('--')) {
      operands.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!known.includes(name)) throw new UsageError(`${command} does not take --${name} (it takes ${known.map((f) => `--${f}`).join(', ')})`);
    const value = inline ?? before[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  for (const name of spec.required) if (!flags.has(name)) throw new UsageError(`${command} needs --${name}`);
  if (operands.length !== spec.operands) {
    throw new UsageError(spec.operands ? `${command} needs exactly ${spec.operands} arguments, got ${operands.length}` : `${command} takes no arguments before "--", got ${JSON.stringify(operands[0])}`);
  }
  const commandLine = separator < 0 ? [] : args.slice(separator + 1);
  if (command === 'exec' && commandLine.length === 0) throw new UsageError('exec needs the command after "--", e.g. exec --claim NAME -- ls -l');
  for (const name of ['ttl', 'timeout']) if (flags.has(name)) seconds(flags, name);
  return { command, flags, operands, commandLine };
}

/** The value of a seconds flag (positive number), or undefined when not given. */
export function seconds(flags: ReadonlyMap<string, string>, name: string): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(value > 0) || !Number.isFinite(value)) throw new UsageError(`--${name} must be a positive number of seconds, got ${JSON.stringify(raw)}`);
  return value;
}

export interface CopyPlan {
  readonly direction: 'download' | 'upload';
  readonly claim: string;
  readonly remotePath: string;
  readonly localPath: string;
}

// A claim name (DNS subdomain), a colon, then the path inside the sandbox.
const REMOTE = /^([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?):(.+)$/;

/** Which side of `cp SOURCE DESTINATION` is in the sandbox. */
export function planCopy(source: string, destination: string): CopyPlan {
  const from = REMOTE.exec(source);
  const to = REMOTE.exec(destination);
  if (from && !to) return { direction: 'download', claim: from[1]!, remotePath: from[2]!, localPath: destination };
  if (to && !from) return { direction: 'upload', claim: to[1]!, remotePath: to[2]!, localPath: source };
  throw new UsageError(`exactly one of SOURCE and DESTINATION must be "<claim>:<path>" (got ${JSON.stringify(source)} and ${JSON.stringify(destination)})`);
}
