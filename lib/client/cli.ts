#!/usr/bin/env node
// agent-sandbox CLI over the SDK: claim, exec, cp and terminate (see USAGE in cli-args.ts).
// Exit codes: 0 success, exec passes the command's own code through (128+N for signal N), 1 for failures
// (message naming the claim or sandbox on stderr), 2 for usage errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseInvocation, planCopy, seconds, USAGE, UsageError, type Invocation } from './cli-args';
import { SandboxClient } from './client';
import type { ConnectionConfig } from './connection';

function connectionFor(flags: Invocation['flags']): ConnectionConfig {
  const url = flags.get('router-url') ?? process.env.AGENT_SANDBOX_ROUTER_URL;
  return url ? { mode: 'router', url, token: flags.get('token') ?? process.env.AGENT_SANDBOX_TOKEN } : { mode: 'direct' };
}

async function exec(client: SandboxClient, claim: string, namespace: string, commandLine: readonly string[]): Promise<number> {
  const sandbox = await client.getSandbox(claim, namespace);
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

/** `cp`: a local directory as destination receives the file under its own name, as with cp(1). */
async function copy(client: SandboxClient, namespace: string, source: string, destination: string): Promise<void> {
  const plan = planCopy(source, destination);
  const sandbox = await client.getSandbox(plan.claim, namespace);
  if (plan.direction === 'upload') {
    const remote = plan.remotePath.endsWith('/') ? plan.remotePath + path.basename(plan.localPath) : plan.remotePath;
    return sandbox.files.write(remote, await fs.promises.readFile(plan.localPath));
  }
  const content = await sandbox.files.read(plan.remotePath);
  const isDirectory = (await fs.promises.stat(plan.localPath).catch(() => undefined))?.isDirectory();
  await fs.promises.writeFile(isDirectory ? path.join(plan.localPath, path.posix.basename(plan.remotePath)) : plan.localPath, content);
}

async function run(invocation: Invocation): Promise<number> {
  const { command, flags, operands, commandLine } = invocation;
  if (command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const client = new SandboxClient({ connection: connectionFor(flags), kubeconfig: flags.get('kubeconfig') });
  const namespace = flags.get('namespace') ?? 'default';
  try {
    switch (command) {
      case 'claim': {
        const ready = seconds(flags, 'timeout') ?? 180;
        const sandbox = await client.createSandbox({
          namespace, warmPool: flags.get('pool')!, name: flags.get('name'), shutdownAfterSeconds: seconds(flags, 'ttl'), readyTimeoutMs: ready * 1000,
        });
        console.log(sandbox.claimName);
        return 0;
      }
      case 'exec':
        return await exec(client, flags.get('claim')!, namespace, commandLine);
      case 'cp':
        await copy(client, namespace, operands[0]!, operands[1]!);
        return 0;
      case 'terminate':
        await client.terminate(flags.get('claim')!, namespace);
        return 0;
    }
  } finally {
    client.close();
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
      console.error(`agent-sandbox: ${err.message}\n${USAGE}`);
      return 2;
    }
    console.error(`agent-sandbox: ${(err as Error).message}`);
    return 1;
  }
}

// A reader that went away (e.g. `| head`) ends the CLI quietly with 128+SIGPIPE, as it would end other Unix tools.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 141 : 1));
void main().then(exit);
