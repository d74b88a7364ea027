// Upstream's Python SDK, pinned, in a virtualenv the harness creates once (pip from PyPI) and caches beside the other
// tools (~/.cache/agent-sandbox-kit, $TOOLS_DIR), keyed by version. A run that dies half-way leaves no cache entry:
// the virtualenv is built in a temporary directory and renamed into place once pip succeeded.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolsDir } from '../plane/tools';

const run = promisify(execFile);

/**
 * The SDK release our compatibility tests pin (what `pip install k8s-agent-sandbox` gave users when we checked), with
 * its `grpc` extra (grpcio, protobuf) for the sandboxd connection modes.
 */
export const PYTHON_SDK = { name: 'k8s-agent-sandbox', version: '1.0.8', extras: 'grpc' } as const;

/** Path of the virtualenv's python with the pinned SDK installed; creates the virtualenv on first use. */
export async function pythonWithSdk(): Promise<string> {
  const dir = join(toolsDir(), 'python-sdk', `${PYTHON_SDK.name}-${PYTHON_SDK.extras}-${PYTHON_SDK.version}`);
  const python = join(dir, 'bin', 'python');
  if (existsSync(join(dir, '.complete'))) return python;
  const building = `${dir}.building-${process.pid}`;
  mkdirSync(join(toolsDir(), 'python-sdk'), { recursive: true });
  rmSync(building, { recursive: true, force: true });
  const spec = `${PYTHON_SDK.name}[${PYTHON_SDK.extras}]==${PYTHON_SDK.version}`;
  try {
    await run('python3', ['-m', 'venv', building]);
    await run(join(building, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', spec], { maxBuffer: 16 << 20 });
  } catch (err) {
    rmSync(building, { recursive: true, force: true });
    const detail = ((err as { stderr?: string }).stderr || (err as Error).message).trim().split('\n').at(-1);
    throw new Error(`could not create a virtualenv with ${spec} from PyPI (python3 -m venv, then pip install): ${detail}`);
  }
  writeFileSync(join(building, '.complete'), spec + '\n');
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return python;
}
