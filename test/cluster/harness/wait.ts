// Polling helpers for cluster tests: wait until a probe yields a value, a condition, or deletion.
import { getObject } from './kubectl';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WaitOptions {
  /** @default 30000 */
  timeoutMs?: number;
  /** @default 100 */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than undefined/false and returns that value.
 * Throws "timed out waiting for <description>" with the probe's last error, if any.
 */
export async function waitFor<T>(
  description: string, probe: () => Promise<T | undefined | false>, options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100 } = options;
  let lastError: unknown;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(intervalMs)) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
  }
  const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${description}${cause}`);
}

interface WithConditions {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Waits until the object has condition `type` with `status` (default "True"); returns the object. */
export function waitForCondition(
  resource: string, name: string, type: string,
  options: WaitOptions & { namespace?: string; status?: string } = {},
): Promise<WithConditions & Record<string, any>> {
  const { namespace, status = 'True' } = options;
  return waitFor(`${resource}/${name} condition ${type}=${status}`, async () => {
    const obj = await getObject<WithConditions>(resource, name, { namespace });
    return obj?.status?.conditions?.some((c) => c.type === type && c.status === status) ? obj : undefined;
  }, options);
}

/** Waits until the object no longer exists. */
export async function waitForDeletion(
  resource: string, name: string, options: WaitOptions & { namespace?: string } = {},
): Promise<void> {
  await waitFor(`${resource}/${name} to be deleted`, async () =>
    (await getObject(resource, name, { namespace: options.namespace })) === undefined, options);
}

/**
 * Waits until the controller-manager has computed the ResourceQuota's usage for every resource it
 * limits. Until then the API server refuses creating those resources ("status unknown for quota");
 * for a custom resource counted by a quota that can take up to ~30s after its CRD appears.
 */
export async function waitForQuotaSynced(namespace: string, name: string, options: WaitOptions = {}): Promise<void> {
  await waitFor(`ResourceQuota ${namespace}/${name} status for all its resources`, async () => {
    const quota = await getObject<{ spec: { hard: object }; status?: { used?: object } }>('resourcequota', name, { namespace });
    const used = quota?.status?.used ?? {};
    return quota !== undefined && Object.keys(quota.spec.hard).every((resource) => resource in used);
  }, { timeoutMs: 90_000, ...options });
}
