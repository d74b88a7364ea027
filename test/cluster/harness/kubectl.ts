// kubectl wrappers for cluster tests: run a command, server-side apply objects, read objects as JSON.
import { execFile } from 'node:child_process';
import { stringify } from 'yaml';
import { adminKubeconfig } from './env';

export interface KubectlOptions {
  /** Defaults to the admin kubeconfig of the local plane. */
  kubeconfig?: string;
  /** Written to kubectl's stdin. */
  stdin?: string;
}

/** A failed kubectl call; `stderr` holds the API server's message (e.g. a CEL rule's error). */
export class KubectlError extends Error {
  constructor(readonly args: string[], readonly stderr: string) {
    super(`kubectl ${args.join(' ')} failed: ${stderr.trim()}`);
  }
}

export function kubectl(args: string[], options: KubectlOptions = {}): Promise<string> {
  const fullArgs = ['--kubeconfig', options.kubeconfig ?? adminKubeconfig(), ...args];
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', fullArgs, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new KubectlError(args, stderr || error.message));
      else resolve(stdout);
    });
    child.stdin?.end(options.stdin ?? '');
  });
}

/**
 * Objects as a multi-document YAML stream for kubectl's stdin. Not a v1 List: kubectl validates List
 * items client-side, and the API server's own errors (what the controller and SDK see) never show.
 */
export function yamlStream(objects: object[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

export interface ApplyOptions {
  namespace?: string;
  kubeconfig?: string;
  /** @default 'agent-sandbox-kit-tests' */
  fieldManager?: string;
  /** Run validation and admission without persisting (`--dry-run=server`). @default false */
  dryRun?: boolean;
}

/**
 * `kubectl apply --server-side --force-conflicts` of a YAML/JSON document stream or a list of objects.
 * Rejects with a KubectlError whose message carries the API server's validation errors.
 */
export function applyServerSide(manifests: string | object[], options: ApplyOptions = {}): Promise<string> {
  const stdin = typeof manifests === 'string' ? manifests : yamlStream(manifests);
  const args = ['apply', '--server-side', '--force-conflicts', `--field-manager=${options.fieldManager ?? 'agent-sandbox-kit-tests'}`, '-f', '-'];
  if (options.namespace) args.push('--namespace', options.namespace);
  if (options.dryRun) args.push('--dry-run=server');
  return kubectl(args, { stdin, kubeconfig: options.kubeconfig });
}

/** The object as JSON, or undefined if it does not exist. */
export async function getObject<T = Record<string, any>>(
  resource: string, name: string, options: { namespace?: string; kubeconfig?: string } = {},
): Promise<T | undefined> {
  const args = ['get', resource, name, '-o', 'json', '--ignore-not-found'];
  if (options.namespace) args.push('--namespace', options.namespace);
  const out = await kubectl(args, { kubeconfig: options.kubeconfig });
  return out.trim() ? (JSON.parse(out) as T) : undefined;
}
