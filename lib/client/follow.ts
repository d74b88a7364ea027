// Live output for runActions: as the claim's mirror shows each action Running, its output is followed from the sandbox's
// runtime by the id the controller ran it under (actionExecId), through the same connection (router or direct) as every
// other call. Nothing is written to the API per chunk, the controller stays the only one running the action, and the
// follow never wakes a suspended sandbox.
import { actionExecId, type Sandbox, type SandboxClaim } from '../api';
import { Resources, type KubeClient } from '../kube';
import { SandboxRequestError } from './errors';
import type { SandboxHandle } from './sandbox';

/** A chunk of an action's output, as it is printed. */
export interface ActionOutputChunk {
  /** The action's index in the startup list. */
  readonly index: number;
  readonly stream: 'stdout' | 'stderr';
  readonly data: string;
}

/** The status says Running just before the controller sends the action: a 404 until then is retried this long. */
const NOT_STARTED_RETRY_MS = 10_000;
/** After the claim's result is final, how long a follow may take to deliver the last output and exit. */
const FINISH_GRACE_MS = 5_000;

export class ActionFollower {
  private next = 0;
  private following?: Promise<void>;
  private last?: SandboxClaim;
  private handle?: Promise<SandboxHandle>;
  private uid?: Promise<string>;
  private readonly complete: number[] = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
    /** A handle on the claim's sandbox. */
    private readonly open: (sandbox: string) => Promise<SandboxHandle>,
    private readonly onOutput: (chunk: ActionOutputChunk) => void,
  ) {}

  /** Called with every version of the claim: starts following the next action once it runs. */
  see(claim: SandboxClaim): void {
    this.last = claim;
    if (this.following || this.abort.signal.aborted) return;
    const actions = claim.status?.actions ?? [];
    // An action that ended before it was seen running is not followed (its kept tail is in the result).
    while (this.next < actions.length && !['Pending', 'Running'].includes(actions[this.next]!.state)) this.next++;
    const sandbox = claim.status?.sandbox?.name;
    if (!sandbox || actions[this.next]?.state !== 'Running') return;
    const index = this.next++;
    this.following = this.follow(sandbox, index).catch(() => undefined).finally(() => {
      this.following = undefined;
      this.see(this.last!);
    });
  }

  /** Lets the last follow finish (bounded), then stops; returns the indices whose whole output was delivered. */
  async finish(): Promise<number[]> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.following, new Promise((r) => { timer = setTimeout(r, FINISH_GRACE_MS); })]);
    clearTimeout(timer);
    this.abort.abort();
    return [...this.complete];
  }

  private async follow(sandbox: string, index: number): Promise<void> {
    const handle = await (this.handle ??= this.open(sandbox));
    const uid = await (this.uid ??= this.kube.get<Sandbox>(Resources.sandboxes, this.namespace, sandbox, { signal: this.abort.signal }).then((s) => s.metadata.uid ?? ''));
    const giveUpAt = Date.now() + NOT_STARTED_RETRY_MS;
    for (;;) {
      let skipped = false;
      try {
        for await (const event of handle.followAction(actionExecId(uid, index), { signal: this.abort.signal })) {
          if (event.type === 'stdout' || event.type === 'stderr') this.onOutput({ index, stream: event.type, data: event.data });
          else if (event.type === 'skipped') skipped = true;
          else if (event.type === 'exit' && !skipped) this.complete.push(index);
        }
        return;
      } catch (err) {
        if (!(err instanceof SandboxRequestError && err.status === 404) || Date.now() > giveUpAt || this.abort.signal.aborted) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}
