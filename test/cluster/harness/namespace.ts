// Per-test-file namespaces: each cluster test file works in its own namespace, deleted afterwards.
import { randomBytes } from 'node:crypto';
import { applyServerSide, getObject, kubectl } from './kubectl';
import { waitFor } from './wait';

/** A fresh, unique namespace name (`<prefix>-<random>`), valid as a DNS label. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 63);
}

/**
 * Creates the namespace and waits for its `default` ServiceAccount: until the controller-manager has
 * made it, ServiceAccount admission rejects every Pod in the namespace.
 */
export async function createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  await applyServerSide([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }]);
  await waitFor(`ServiceAccount ${name}/default`, () => getObject('serviceaccount', 'default', { namespace: name }));
}

/** Deletes the namespace; with `wait`, resolves only once the namespace controller has emptied and removed it. */
export async function deleteNamespace(name: string, options: { wait?: boolean } = {}): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--ignore-not-found', `--wait=${options.wait ?? false}`]);
}

/**
 * Registers beforeAll/afterAll hooks that create a namespace for this test file and delete it afterwards.
 * Read `.name` inside tests (it is set once beforeAll ran).
 */
export function useTestNamespace(prefix = 'test', labels: Record<string, string> = {}): { readonly name: string } {
  let name: string | undefined;
  beforeAll(async () => {
    const candidate = uniqueName(prefix);
    await createNamespace(candidate, labels);
    name = candidate;
  });
  afterAll(async () => {
    if (name) await deleteNamespace(name);
  });
  return {
    get name(): string {
      if (!name) throw new Error('test namespace is created in beforeAll; read .name inside a test or hook');
      return name;
    },
  };
}
