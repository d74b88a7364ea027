// Waiting on one object with one watch (restarted only when the server ends it or its version is gone): the claim
// waits of claims.ts and the direct mode's wait for a resumed Sandbox.
import { isGone, type KubeClient, type KubeObject, type ResourceType } from '../kube';

/** What a look at the object concluded: done with a value, or not yet (with the reason so far). */
export type Verdict<T> = { done: true; value: T } | { done: false; reason?: string; message?: string };

export interface WatchTarget<O extends KubeObject, T> {
  readonly resource: ResourceType;
  readonly namespace: string;
  readonly name: string;
  /** Done, or not yet; throwing ends the wait with that error. */
  readonly judge: (object: O) => Verdict<T>;
  /** The error when the deadline passes first, given the last verdict. */
  readonly timedOut: (last: Verdict<T> & { done: false }) => Error;
  /** The error when the object is deleted while waiting. */
  readonly deleted: () => Error;
}

/** Watches the object until `judge` says done; `timeoutMs` and `signal` (e.g. the caller's deadline) end it early. */
export async function watchUntil<O extends KubeObject, T>(kube: KubeClient, target: WatchTarget<O, T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  const { resource, namespace, name, judge } = target;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const onCallerAbort = (): void => deadline.abort();
  signal?.addEventListener('abort', onCallerAbort);
  if (signal?.aborted) deadline.abort();
  let last: Verdict<T> = { done: false };
  try {
    let object = await kube.get<O>(resource, namespace, name, { signal: deadline.signal });
    let resourceVersion = object.metadata?.resourceVersion;
    while (!(last = judge(object)).done) {
      if (deadline.signal.aborted) throw target.timedOut(last);
      const stop = new AbortController();
      const onDeadline = (): void => stop.abort();
      deadline.signal.addEventListener('abort', onDeadline);
      let failure: unknown;
      try {
        await kube.watch<O>(resource, { namespace, fieldSelector: `metadata.name=${name}`, resourceVersion, signal: stop.signal }, (event) => {
          if (event.type === 'BOOKMARK') return;
          if (event.type === 'DELETED') failure = target.deleted();
          else {
            object = event.object;
            resourceVersion = object.metadata?.resourceVersion;
            try {
              if (judge(object).done) stop.abort();
            } catch (err) {
              failure = err;
            }
          }
          if (failure) stop.abort();
        });
      } catch (err) {
        if (!isGone(err)) throw err;
        object = await kube.get<O>(resource, namespace, name, { signal: deadline.signal });
        resourceVersion = object.metadata?.resourceVersion;
      } finally {
        deadline.signal.removeEventListener('abort', onDeadline);
      }
      if (failure) throw failure;
    }
    return last.value;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}
