// Resume on request: an authorized request for a sandbox the cache does not have Ready reads that Sandbox once (shared
// by every request waiting on it); a suspended one is set Running with one patch (clearing the suspend reason), and
// the requests wait, up to --resume-hold-seconds, for the cache to show it Ready. One resume however many requests
// arrive; past the hold, 503 with Retry-After. Only called after authorization: a caller who may not reach a sandbox
// cannot wake it.
import type { Sandbox } from '../../api';
import { isNotFound, Resources, type KubeApi } from '../../kube';
import { setRunning } from '../../lifecycle/resume';
import { RouteError } from '../headers';
import type { SandboxResolver, SandboxTarget } from '../resolver';
import type { LifecycleRouterMetrics } from './metrics';

export interface WakerOptions {
  readonly client: KubeApi;
  readonly resolver: SandboxResolver;
  readonly holdMs: number;
  readonly metrics?: LifecycleRouterMetrics;
  /** How often a waiting request looks at the cache. @default 25 */
  readonly pollMs?: number;
}

/** Seconds a client whose request outlived the hold should wait before trying again. */
const RESUME_RETRY_AFTER_SECONDS = 5;

export class SandboxWaker {
  /** One resume per sandbox: the promise every request for it waits on until the sandbox is Ready or the hold ends. */
  private readonly resuming = new Map<string, Promise<boolean>>();

  constructor(private readonly options: WakerOptions) {}

  /**
   * The sandbox's target once it is Ready again, or undefined when it is not suspended (absent, or not Ready for
   * another reason: the caller answers as before). Throws 503 with Retry-After when the hold ends first.
   */
  async wake(namespace: string, name: string, signal?: AbortSignal): Promise<SandboxTarget | undefined> {
    const key = `${namespace}/${name}`;
    let resume = this.resuming.get(key);
    if (!resume) {
      resume = this.resume(namespace, name);
      this.resuming.set(key, resume);
    }
    // The entry lives while the sandbox starts, so requests arriving then join this resume instead of finding it
    // Running-but-not-Ready; it goes once the sandbox is Ready (a later suspension needs a new resume) or fails.
    const done = () => { if (this.resuming.get(key) === resume) this.resuming.delete(key); };
    let resumed: boolean;
    try {
      resumed = await resume;
    } catch (err) {
      done();
      throw err;
    }
    if (!resumed) {
      done();
      return undefined;
    }
    const deadline = Date.now() + this.options.holdMs;
    for (;;) {
      const target = this.options.resolver.lookup(namespace, name);
      if (target) {
        done();
        return target;
      }
      if (Date.now() >= deadline || signal?.aborted) {
        done();
        throw new RouteError(503, `Sandbox ${key} is resuming and not Ready yet; retry later.`, RESUME_RETRY_AFTER_SECONDS);
      }
      await new Promise((r) => setTimeout(r, this.options.pollMs ?? 25));
    }
  }

  /** True when the sandbox was suspended (and is now set Running) or is already Running and starting. */
  private async resume(namespace: string, name: string): Promise<boolean> {
    const { client, metrics } = this.options;
    const sandbox = await client.getOrUndefined<Sandbox>(Resources.sandboxes, namespace, name);
    if (!sandbox || sandbox.metadata.deletionTimestamp) return false;
    if (sandbox.spec.operatingMode !== 'Suspended') return false;
    try {
      await setRunning(client, namespace, name);
      metrics?.resumes.inc({ sandbox_namespace: namespace, result: 'resumed' });
      return true;
    } catch (err) {
      metrics?.resumes.inc({ sandbox_namespace: namespace, result: 'failed' });
      if (isNotFound(err)) return false;
      throw new RouteError(503, `Sandbox ${namespace}/${name} could not be resumed: ${(err as Error).message}`, RESUME_RETRY_AFTER_SECONDS);
    }
  }
}
