// Slow-start batching (client-go's slowStartBatch): run `count` operations in parallel batches of 1, 2, 4, 8, …,
// stopping after the first batch with a failure, so a systematically failing call (quota, admission, RBAC) costs one
// request rather than hundreds. Returns how many succeeded, how many were never issued, and the first error.

export async function slowStartBatch(count: number, op: (index: number) => Promise<void>): Promise<{ succeeded: number; skipped: number; error?: unknown }> {
  let succeeded = 0;
  let batch = 1;
  let issued = 0;
  while (issued < count) {
    const size = Math.min(batch, count - issued);
    const results = await Promise.allSettled(Array.from({ length: size }, (_, i) => op(issued + i)));
    issued += size;
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    succeeded += results.filter((r) => r.status === 'fulfilled').length;
    if (failure) return { succeeded, skipped: count - issued, error: failure.reason };
    batch *= 2;
  }
  return { succeeded, skipped: 0 };
}
