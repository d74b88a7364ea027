// Polling for the plane's start-up: a component is ready when its check passes.
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms; throws `<what> not ready after <n>s` once `timeoutMs` passed. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    if (await check()) return;
  }
  throw new Error(`${what} not ready after ${timeoutMs / 1000}s`);
}
