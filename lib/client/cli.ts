#!/usr/bin/env node
// agent-sandbox CLI over the SDK:
//   claim --pool P [--name N] [--ttl S]      create a claim, wait for Ready, print the claim name
//   exec --claim N -- CMD...                 stream a command's output; exit with its code
//   cp SRC DST                               copy a file; one side is "<claim>:<path>"
//   terminate --claim N                      delete the claim
// Common: --namespace (default "default"), --router-url ($AGENT_SANDBOX_ROUTER_URL; without it: direct
// in-cluster), --token ($AGENT_SANDBOX_TOKEN), --kubeconfig, --timeout seconds (ready wait, default 180).
import * as fs from 'node:fs';
import { SandboxClient } from './client';
import type { ConnectionConfig } from './connection';

interface Parsed {
  command: string;
  flags: Map<string, string>;
  rest: string[];
}

function parseArgs(argv: readonly string[]): Parsed {
  const [command = 'help', ...args] = argv;
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) rest.push(arg);
    else if (arg.includes('=')) flags.set(arg.slice(2, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1));
    else flags.set(arg.slice(2), args[++i] ?? '');
  }
  return { command, flags, rest };
}

function required(flags: Map<string, string>, name: string): string {
  const value = flags.get(name);
  if (!value) throw new Error(`--${name} is required`);
  return value;
}

async function main(argv: readonly string[]): Promise<number> {
  const { command, flags, rest } = parseArgs(argv);
  const routerUrl = flags.get('router-url') ?? process.env.AGENT_SANDBOX_ROUTER_URL;
  const connection: ConnectionConfig = routerUrl ? { mode: 'router', url: routerUrl, token: flags.get('token') ?? process.env.AGENT_SANDBOX_TOKEN } : { mode: 'direct' };
  const client = new SandboxClient({ connection, kubeconfig: flags.get('kubeconfig') });
  const namespace = flags.get('namespace') ?? 'default';
  try {
    switch (command) {
      case 'claim': {
        const ttl = flags.get('ttl');
        const sandbox = await client.createSandbox({
          namespace, warmPool: required(flags, 'pool'), name: flags.get('name'),
          shutdownAfterSeconds: ttl ? Number(ttl) : undefined, readyTimeoutMs: Number(flags.get('timeout') ?? 180) * 1000,
        });
        console.log(sandbox.claimName);
        return 0;
      }
      case 'exec': {
        if (rest.length === 0) throw new Error('exec needs a command after --');
        const sandbox = await client.getSandbox(required(flags, 'claim'), namespace);
        for await (const event of sandbox.runStream(rest)) {
          if (event.type === 'stdout') process.stdout.write(event.data);
          else if (event.type === 'stderr') process.stderr.write(event.data);
          else if (event.type === 'exit') return event.exit_code < 0 ? 128 - event.exit_code : event.exit_code;
        }
        return 1;
      }
      case 'cp': {
        const [source, destination] = rest;
        if (!source || !destination) throw new Error('cp needs SOURCE and DESTINATION, one of them "<claim>:<path>"');
        const remote = (spec: string) => /^([a-z0-9-]+):(.+)$/.exec(spec);
        const from = remote(source);
        const to = remote(destination);
        if (from && !to) {
          fs.writeFileSync(destination, await (await client.getSandbox(from[1]!, namespace)).files.read(from[2]!));
        } else if (to && !from) {
          await (await client.getSandbox(to[1]!, namespace)).files.write(to[2]!, fs.readFileSync(source));
        } else throw new Error('exactly one of SOURCE and DESTINATION must be "<claim>:<path>"');
        return 0;
      }
      case 'terminate':
        await client.terminate(required(flags, 'claim'), namespace);
        return 0;
      default:
        console.error('usage: agent-sandbox claim|exec|cp|terminate [flags]  (see the header of lib/client/cli.ts)');
        return command === 'help' ? 0 : 2;
    }
  } finally {
    client.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`agent-sandbox: ${(err as Error).message}`);
    process.exit(1);
  },
);
