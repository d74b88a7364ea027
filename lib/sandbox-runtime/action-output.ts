// Output of the startup actions this runtime runs, addressable by the id the controller gave each (`POST
// /v1/actions/{id}`), so a client (`agent-sandbox run`) can follow one live with `GET /v1/actions/{id}/output` without
// running it a second time and without any API write per chunk. Memory stays bounded: the last MAX_KEPT_BYTES per
// action are kept (a follower arriving later is told how much it missed), at most MAX_ACTIONS are remembered (a new one
// is refused with 503 while that many run), an ended one for RETENTION_MS, and a follower that does not read is disconnected rather than buffered for.
import type { ServerResponse } from 'node:http';
import type { ExecStreamEvent } from './exec';

/** One line of `GET /v1/actions/{id}/output`: the command's events, and what a late follower missed. */
export type ActionOutputEvent = ExecStreamEvent | { type: 'skipped'; bytes: number };

const MAX_KEPT_BYTES = 1024 * 1024;
const MAX_ACTIONS = 32;
const RETENTION_MS = 10 * 60_000;
/** Unsent bytes a follower may have pending before it is disconnected. */
const MAX_FOLLOWER_BACKLOG = 4 * 1024 * 1024;

const line = (event: ActionOutputEvent): string => JSON.stringify(event) + '\n';

class ActionOutput {
  private readonly kept: ExecStreamEvent[] = [];
  private keptBytes = 0;
  private skippedBytes = 0;
  private exit?: ExecStreamEvent;
  private readonly followers = new Set<ServerResponse>();

  get ended(): boolean {
    return this.exit !== undefined;
  }

  publish(event: ExecStreamEvent): void {
    if (event.type === 'stdout' || event.type === 'stderr') {
      this.kept.push(event);
      this.keptBytes += Buffer.byteLength(event.data);
      while (this.keptBytes > MAX_KEPT_BYTES && this.kept.length > 1) {
        const dropped = Buffer.byteLength((this.kept.shift() as { data: string }).data);
        this.keptBytes -= dropped;
        this.skippedBytes += dropped;
      }
    } else if (event.type === 'exit') {
      this.exit = event;
    } else return;
    for (const follower of this.followers) this.send(follower, event);
  }

  follow(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    if (this.skippedBytes) res.write(line({ type: 'skipped', bytes: this.skippedBytes }));
    for (const event of this.kept) res.write(line(event));
    if (this.exit) return void res.end(line(this.exit));
    this.followers.add(res);
    res.once('close', () => this.followers.delete(res));
  }

  private send(follower: ServerResponse, event: ExecStreamEvent): void {
    if (follower.writableLength > MAX_FOLLOWER_BACKLOG) return void follower.destroy();
    if (event.type === 'exit') follower.end(line(event));
    else follower.write(line(event));
  }
}

export class ActionOutputs {
  private readonly outputs = new Map<string, ActionOutput>();

  /**
   * A new action's output; `taken` when `id` was used already (an action never runs twice), `full` when MAX_ACTIONS
   * are running (their kept output is what bounds the runtime's memory).
   */
  start(id: string): ActionOutput | 'taken' | 'full' {
    if (this.outputs.has(id)) return 'taken';
    if (this.outputs.size >= MAX_ACTIONS) {
      const oldestEnded = [...this.outputs].find(([, output]) => output.ended);
      if (!oldestEnded) return 'full';
      this.outputs.delete(oldestEnded[0]);
    }
    const output = new ActionOutput();
    this.outputs.set(id, output);
    return output;
  }

  /** Forgets the action's output RETENTION_MS after it ended. */
  ended(id: string): void {
    setTimeout(() => this.outputs.delete(id), RETENTION_MS).unref();
  }

  get(id: string): ActionOutput | undefined {
    return this.outputs.get(id);
  }
}
