// Command line of the agent-sandbox CLI, in kubectl's manner: global flags (-n/--namespace, --context,
// --kubeconfig, --timeout, ...), per-command flags and `--help`, parsed with Node's util.parseArgs. Usage errors
// (exit code 2) name the offending flag or argument and are raised before anything talks to the cluster.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A malformed invocation; the CLI prints the message and the command's usage and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: Command) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

const GLOBAL_OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  context: { type: 'string' },
  kubeconfig: { type: 'string' },
  'router-url': { type: 'string' },
  token: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

const GLOBAL_HELP = `global flags:
  -n, --namespace NS    namespace of the claim; default: the kubeconfig context's namespace, else "default"
      --context NAME    kubeconfig context; default: the current context
      --kubeconfig FILE default: $KUBECONFIG, else ~/.kube/config, else in-cluster
      --router-url URL  reach sandboxes through the router; default $AGENT_SANDBOX_ROUTER_URL, else directly (in-cluster)
      --token TOKEN     bearer token for the router; default $AGENT_SANDBOX_TOKEN
      --timeout SECONDS bound on the command: connecting, every API call and any wait (claim: 180, others: 30;
                        exec and cp: until the transfer or command starts)
  -h, --help            help for the command`;

interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  readonly options: Options;
  readonly required: readonly string[];
  /** Positional arguments before `--`. */
  readonly operands: number;
  readonly details: string;
}

const COMMANDS = {
  claim: {
    summary: 'claim a sandbox from a warm pool, wait until Ready, print the claim name',
    usage: 'agent-sandbox claim --pool POOL [--name NAME] [--ttl SECONDS] [flags]',
    options: { pool: { type: 'string' }, name: { type: 'string' }, ttl: { type: 'string' } },
    required: ['pool'], operands: 0,
    details: `  --pool POOL     the SandboxWarmPool to claim from
  --name NAME     claim name; makes claiming idempotent (default: generated)
  --ttl SECONDS   delete the claim and its sandbox this long after creation (default: never)`,
  },
  run: {
    summary: 'claim a sandbox to run one command as its startup action, stream its output and print its status, exit with its exit code',
    usage: 'agent-sandbox run --pool POOL [--name NAME] [--keep-on-failure] [--task-timeout SECONDS] [flags] -- COMMAND [ARGS...]',
    options: { pool: { type: 'string' }, name: { type: 'string' }, 'keep-on-failure': { type: 'boolean' }, 'task-timeout': { type: 'string' } },
    required: ['pool'], operands: 0,
    details: `  --pool POOL              the SandboxWarmPool to claim from (a warm sandbox runs the command at once)
  --name NAME              claim name; running again with it waits for the same claim's result
  --keep-on-failure        leave the sandbox running when the command fails (default: suspended either way)
  --task-timeout SECONDS   kill the command after this long (default 300; above the runtime's action maximum,
                           SANDBOX_ACTION_TIMEOUT_MAX_SECONDS of the template, default a day, it fails)
  The sandbox is left suspended with its PVCs: resume it (e.g. a request through the router) to read its files.
  The output is streamed live from the sandbox (through --router-url, else directly); when the sandbox cannot be
  reached from here, the last 4 KiB the controller kept are printed at the end. The exit code is the command's
  (1 if it never exited).`,
  },
  list: {
    summary: 'list the claims in the namespace, with their pool, sandbox and readiness',
    usage: 'agent-sandbox list [-A] [flags]',
    options: { 'all-namespaces': { type: 'boolean', short: 'A' } },
    required: [], operands: 0,
    details: '  -A, --all-namespaces   list the claims of every namespace',
  },
  exec: {
    summary: 'run a command in a claimed sandbox, stream its output, exit with its exit code',
    usage: 'agent-sandbox exec --claim NAME [flags] -- COMMAND [ARGS...]',
    options: { claim: { type: 'string' } },
    required: ['claim'], operands: 0,
    details: '  --claim NAME   the SandboxClaim whose sandbox runs the command',
  },
  cp: {
    summary: 'copy a file into or out of a claimed sandbox',
    usage: 'agent-sandbox cp SOURCE DESTINATION [flags]',
    options: {},
    required: [], operands: 2,
    details: `  exactly one of SOURCE and DESTINATION is "[NAMESPACE/]CLAIM:PATH"; a PATH ending in "/" (or a local
  directory) receives the file under its own name, as with cp(1). Examples:
    agent-sandbox cp -n analytics ./data.csv job-42:inputs/
    agent-sandbox cp analytics/job-42:report.txt .`,
  },
  terminate: {
    summary: 'delete a claim and its sandbox',
    usage: 'agent-sandbox terminate --claim NAME [flags]',
    options: { claim: { type: 'string' } },
    required: ['claim'], operands: 0,
    details: '  --claim NAME   the SandboxClaim to delete (already deleted is success)',
  },
} satisfies Record<string, CommandSpec>;

export type Command = keyof typeof COMMANDS;

const isCommand = (name: string): name is Command => Object.hasOwn(COMMANDS, name);

export const USAGE = `usage: agent-sandbox <command> [flags]

commands:
${Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(10)} ${spec.summary}`).join('\n')}

${GLOBAL_HELP}
  --version             print the version

Run "agent-sandbox <command> --help" for a command's flags.`;

/** The help text of one command. */
export function commandUsage(command: Command): string {
  const spec: CommandSpec = COMMANDS[command];
  return `${spec.summary}\n\nusage: ${spec.usage}\n\nflags:\n${spec.details}\n\n${GLOBAL_HELP}`;
}

export type Invocation =
  | { readonly command: 'help'; readonly topic?: Command }
  | { readonly command: 'version' }
  | {
      readonly command: Command;
      /** Flag values by long name; booleans are "true". */
      readonly flags: ReadonlyMap<string, string>;
      /** Positional arguments before `--` (cp's SOURCE and DESTINATION). */
      readonly operands: readonly string[];
      /** Everything after `--` (exec's and run's command line). */
      readonly commandLine: readonly string[];
    };

/** Parses and validates `argv` (without node and script); throws UsageError. */
export function parseInvocation(argv: readonly string[]): Invocation {
  const [command = '', ...args] = argv;
  if (['--help', '-h'].includes(command)) return { command: 'help' };
  if (command === 'help') {
    const topic = args[0];
    if (topic !== undefined && !isCommand(topic)) throw new UsageError(`unknown command ${JSON.stringify(topic)}`);
    return { command: 'help', topic };
  }
  if (command === '--version') return { command: 'version' };
  if (!isCommand(command)) {
    throw new UsageError(command ? `unknown command ${JSON.stringify(command)} (commands: ${Object.keys(COMMANDS).join(', ')})` : 'a command is required');
  }
  const spec: CommandSpec = COMMANDS[command];
  const separator = args.indexOf('--');
  const before = separator < 0 ? args : args.slice(0, separator);
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: before, options: { ...GLOBAL_OPTIONS, ...spec.options }, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    throw new UsageError(`${command}: ${usageMessage(err as Error)}`, command);
  }
  if (parsed.values.help) return { command: 'help', topic: command };
  const flags = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === undefined) continue;
    if (value === '') throw new UsageError(`${command}: --${name} needs a value`, command);
    flags.set(name, String(value));
  }
  for (const name of spec.required) if (!flags.has(name)) throw new UsageError(`${command} needs --${name}`, command);
  const operands = parsed.positionals;
  if (operands.length !== spec.operands) {
    throw new UsageError(spec.operands
      ? `${command} needs exactly ${spec.operands} arguments, got ${operands.length}`
      : `${command} takes no arguments before "--", got ${JSON.stringify(operands[0])}`, command);
  }
  const commandLine = separator < 0 ? [] : args.slice(separator + 1);
  const takesCommandLine = command === 'exec' || command === 'run';
  if (takesCommandLine && commandLine.length === 0) throw new UsageError(`${command} needs the command after "--", e.g. ${command} ${command === 'exec' ? '--claim NAME' : '--pool POOL'} -- ls -l`, command);
  if (!takesCommandLine && separator >= 0) throw new UsageError(`${command} takes nothing after "--"`, command);
  for (const name of ['ttl', 'timeout', 'task-timeout']) if (flags.has(name)) seconds(flags, name);
  return { command, flags, operands, commandLine };
}

/** parseArgs' messages, shortened to what a user needs (they quote the flag). */
function usageMessage(err: Error): string {
  const unknown = /Unknown option '([^']+)'/.exec(err.message);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(err.message);
  if (missing) return `${missing[1]} needs a value`;
  return err.message.split('. ')[0]!;
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
  /** The namespace given with the claim (`ns/claim:path`), if any. */
  readonly namespace?: string;
  readonly claim: string;
  readonly remotePath: string;
  readonly localPath: string;
}

// An optional namespace (DNS label) and slash, a claim name (DNS subdomain), a colon, then the path in the sandbox.
const REMOTE = /^(?:([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?):(.+)$/;

/** Which side of `cp SOURCE DESTINATION` is in the sandbox. */
export function planCopy(source: string, destination: string): CopyPlan {
  const from = REMOTE.exec(source);
  const to = REMOTE.exec(destination);
  const remote = (match: RegExpExecArray) => ({ ...(match[1] ? { namespace: match[1] } : {}), claim: match[2]!, remotePath: match[3]! });
  if (from && !to) return { direction: 'download', ...remote(from), localPath: destination };
  if (to && !from) return { direction: 'upload', ...remote(to), localPath: source };
  throw new UsageError(`exactly one of SOURCE and DESTINATION must be "[NAMESPACE/]CLAIM:PATH" (got ${JSON.stringify(source)} and ${JSON.stringify(destination)})`, 'cp');
}
