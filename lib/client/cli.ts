#!/usr/bin/env node
// agent-sandbox CLI over the SDK: claim, run, list, exec, cp and terminate (see USAGE in cli-args.ts).
// Exit codes: 0 success, exec and run pass the command's own code through (128+N for signal N), 1 for failures
// (one line on stderr naming the claim, sandbox or API server), 2 for usage errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_VERSION } from '../builders/package-version';
import { commandUsage, parseInvocation, planCopy, seconds, USAGE, UsageError, type Invocation } from './cli-args';
import { SandboxClient, type ClaimSummary } from './client';
import type { ConnectionConfig } from './connection';

type CommandInvocation = Extract<Invocation, { flags: unknown }>;

function connectionFor(flags: CommandInvocation['flags']): ConnectionConfig {
  const url = flags.get('router-url') ?? process.env.AGENT_SANDBOX_ROUTER_URL;
  return url ? { mode: 'router', url, token: flags.get('token') ?? process.env.AGENT_SANDBOX_TOKEN } : { mode: 'direct' };
}

async function exec(client: SandboxClient, claim: string, namespace: string | undefined, commandLine: readonly string[], timeoutMs: number): Promise<number> {
  const sandbox = await client.getSandbox(claim, namespace, { timeoutMs });
  for await (const event of sandbox.runStream(commandLine)) {
    if (event.type === 'stdout') process.stdout.write(event.data);
    else if (event.type === 'stderr') process.stderr.write(event.data);
    else if (event.type === 'exit') {
      if (event.error) process.stderr.write(`agent-sandbox: ${event.error}\n`);
      return event.exit_code < 0 ? 128 - event.exit_code : event.exit_code;
    }
  }
  throw new Error('unreachable: runStream ends with an exit event or throws');
}

/**
 * `run`: the command as the claim's one startup action; its output streamed live to stdout/stderr as it runs (else, when
 * the sandbox cannot be reached from here, the last 4 KiB the controller kept, at the end), then the outcome on stderr.
 */
async function runTask(client: SandboxClient, flags: CommandInvocation['flags'], namespace: string | undefined, commandLine: readonly string[], timeoutMs: number | undefined): Promise<number> {
  const taskTimeout = seconds(flags, 'task-timeout');
  let streamed = false;
  const result = await client.runActions({
    namespace, warmPool: flags.get('pool')!, name: flags.get('name'), timeoutMs,
    actions: [{ name: 'task', command: [...commandLine], ...(taskTimeout !== undefined && { timeoutSeconds: Math.ceil(taskTimeout) }) }],
    keepOnFailure: flags.has('keep-on-failure'),
    onOutput: (chunk) => {
      streamed = true;
      (chunk.stream === 'stdout' ? process.stdout : process.stderr).write(chunk.data);
    },
  });
  const task = result.actions[0];
  if (!result.followed?.includes(0) && task?.output) {
    if (streamed) process.stderr.write('\nagent-sandbox: the live output was cut; the last 4 KiB the controller kept follow\n');
    process.stdout.write(task.output);
  }
  const took = task?.startedAt && task.finishedAt ? ` in ${((Date.parse(task.finishedAt) - Date.parse(task.startedAt)) / 1000).toFixed(1)}s` : '';
  const code = task?.exitCode !== undefined ? ` (exit code ${task.exitCode})` : '';
  process.stderr.write(`agent-sandbox: task ${task?.state ?? 'unknown'}${code}${took}: ${result.message}; claim ${result.namespace}/${result.claim}, sandbox ${result.sandbox ?? '<none>'}\n`);
  const exitCode = task?.exitCode ?? 1;
  return exitCode < 0 ? 128 - exitCode : exitCode;
}

/** `cp`: a local directory as destination receives the file under its own name, as with cp(1). */
async function copy(client: SandboxClient, namespace: string | undefined, source: string, destination: string, timeoutMs: number): Promise<void> {
  const plan = planCopy(source, destination);
  const sandbox = await client.getSandbox(plan.claim, plan.namespace ?? namespace, { timeoutMs });
  if (plan.direction === 'upload') {
    const remote = plan.remotePath.endsWith('/') ? plan.remotePath + path.basename(plan.localPath) : plan.remotePath;
    return sandbox.files.write(remote, await fs.promises.readFile(plan.localPath));
  }
  const content = await sandbox.files.read(plan.remotePath);
  const isDirectory = (await fs.promises.stat(plan.localPath).catch(() => undefined))?.isDirectory();
  await fs.promises.writeFile(isDirectory ? path.join(plan.localPath, path.posix.basename(plan.remotePath)) : plan.localPath, content);
}

/** kubectl's age column: the largest unit, e.g. 45s, 12m, 5h, 3d. */
function age(since: Date | undefined, now = Date.now()): string {
  if (!since) return '<unknown>';
  const s = Math.max(0, Math.floor((now - since.getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function printClaims(claims: readonly ClaimSummary[], allNamespaces: boolean): void {
  if (claims.length === 0) {
    console.error('No SandboxClaims found.');
    return;
  }
  const rows = claims.map((c) => [...(allNamespaces ? [c.namespace] : []), c.name, c.warmPool, c.sandbox ?? '<none>', c.ready, c.reason ?? '', age(c.createdAt)]);
  const header = [...(allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'POOL', 'SANDBOX', 'READY', 'REASON', 'AGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('   ').trimEnd());
}

async function run(invocation: Invocation): Promise<number> {
  if (invocation.command === 'help') {
    console.log(invocation.topic ? commandUsage(invocation.topic) : USAGE);
    return 0;
  }
  if (invocation.command === 'version') {
    console.log(PACKAGE_VERSION);
    return 0;
  }
  const { command, flags, operands, commandLine } = invocation;
  const client = new SandboxClient({ connection: connectionFor(flags), kubeconfig: flags.get('kubeconfig'), context: flags.get('context') });
  const namespace = flags.get('namespace');
  const timeoutMs = (seconds(flags, 'timeout') ?? (command === 'claim' ? 180 : 30)) * 1000;
  const explicitTimeoutMs = flags.has('timeout') ? timeoutMs : undefined;
  try {
    switch (command) {
      case 'claim': {
        const sandbox = await client.createSandbox({
          namespace, warmPool: flags.get('pool')!, name: flags.get('name'), shutdownAfterSeconds: seconds(flags, 'ttl'), readyTimeoutMs: timeoutMs,
        });
        console.log(sandbox.claimName);
        return 0;
      }
      case 'list': {
        const allNamespaces = flags.has('all-namespaces');
        printClaims(await client.listClaims({ namespace, allNamespaces, timeoutMs }), allNamespaces);
        return 0;
      }
      case 'exec':
        return await exec(client, flags.get('claim')!, namespace, commandLine, timeoutMs);
      case 'run':
        return await runTask(client, flags, namespace, commandLine, explicitTimeoutMs);
      case 'cp':
        await copy(client, namespace, operands[0]!, operands[1]!, timeoutMs);
        return 0;
      case 'terminate':
        await client.terminate(flags.get('claim')!, namespace, { timeoutMs });
        return 0;
    }
  } finally {
    await client.close();
  }
}

/** Exits only once stdout and stderr are flushed, so piped output is never cut off. */
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

async function main(): Promise<number> {
  try {
    return await run(parseInvocation(process.argv.slice(2)));
  } catch (err) {
    if (err instanceof UsageError) {
      const help = err.command ? `agent-sandbox ${err.command} --help` : 'agent-sandbox --help';
      console.error(`agent-sandbox: ${err.message}\nSee "${help}" for usage.`);
      return 2;
    }
    // One line, no stack: every error we raise says what failed and where.
    console.error(`agent-sandbox: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}

// A reader that went away (e.g. `| head`) ends the CLI quietly with 128+SIGPIPE, as it would end other Unix tools.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 141 : 1));
void main().then(exit);
