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
