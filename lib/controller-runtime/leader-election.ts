// Lease-based leader election (coordination.k8s.io/v1), following client-go's leaderelection: acquire when the Lease
// is free or its holder has not renewed within the lease duration (measured on our clock, immune to skew), renew every
// retry period, step down when renewal keeps failing past the renew deadline, and release the Lease on graceful
// shutdown so a rolling update hands over immediately instead of after a full lease duration.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KubeClient } from '../kube/client';
import { isAlreadyExists, isConflict, isNotFound } from '../kube/errors';
import { Resources } from '../kube/resources';
import { sleep } from '../kube/token-bucket';
import type { KubeObject } from '../kube/types';
import { silentLogger, type Logger } from './logger';

/** Upstream agent-sandbox-controller's lease name. */
export const LEADER_ELECTION_ID = 'a3317529.agent-sandbox.x-k8s.io';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  namespace: string;
  /** @default LEADER_ELECTION_ID */
  name?: string;
  /** @default `<hostname>_<uuid>` like controller-runtime */
  identity?: string;
  /** @default 15000 */
  leaseDurationMs?: number;
  /** @default 10000 */
  renewDeadlineMs?: number;
  /** @default 2000 */
  retryPeriodMs?: number;
  logger?: Logger;
}

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => { timer = setTimeout(resolve, ms, onTimeout); });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** RFC 3339 with microseconds, the MicroTime wire format. */
function microTime(date = new Date()): string {
  return date.toISOString().replace('Z', '000Z');
}

export class LeaderElector {
  readonly identity: string;
  private readonly name: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  private leading = false;
  private observed?: { spec: LeaseSpec; at: number };
  private lease?: Lease;

  constructor(private readonly client: KubeClient, private readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.name = options.name ?? LEADER_ELECTION_ID;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs)) {
      throw new Error('leader election: need leaseDuration > renewDeadline > retryPeriod');
    }
    this.log = (options.logger ?? silentLogger).child({ logger: 'leader-election', lease: `${options.namespace}/${this.name}`, identity: this.identity });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Blocks until this instance holds the Lease (true) or `signal` aborts (false).
   */
  async acquire(signal: AbortSignal): Promise<boolean> {
    this.log.info('attempting to acquire leader lease');
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        this.leading = true;
        this.log.info('successfully acquired lease');
        return true;
      }
      await sleep(this.retryPeriodMs * (1 + Math.random() * 0.2), signal);
    }
    return false;
  }

  /**
   * Renews every retry period until `signal` aborts (resolves 'stopped') or renewal fails for longer than the renew
   * deadline (resolves 'lost'; the caller must stop reconciling at once).
   */
  async renewLoop(signal: AbortSignal): Promise<'stopped' | 'lost'> {
    let lastRenew = performance.now();
    while (!signal.aborted) {
      await sleep(this.retryPeriodMs, signal);
      if (signal.aborted) break;
      // A hung API call must not keep us "leading" past the deadline: give up on it when the deadline passes.
      const remaining = Math.max(0, lastRenew + this.renewDeadlineMs - performance.now());
      if (await withTimeout(this.tryAcquireOrRenew(), remaining, false)) {
        lastRenew = performance.now();
      } else if (performance.now() - lastRenew >= this.renewDeadlineMs) {
        this.leading = false;
        this.log.error('leader election lost: could not renew within the renew deadline');
        return 'lost';
      }
    }
    return 'stopped';
  }

  /** Gives the Lease up (empty holder, 1 s duration) so another replica can take over at once. */
  async release(): Promise<void> {
    if (!this.leading || !this.lease) return;
    this.leading = false;
    const now = microTime();
    try {
      await this.client.update<Lease>(Resources.leases, {
        ...this.lease,
        spec: { ...this.lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
      });
      this.log.info('released leader lease');
    } catch (err) {
      this.log.warn('failed to release leader lease', { error: err });
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const desired: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.round(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      const current = await this.client.getOrUndefined<Lease>(Resources.leases, this.options.namespace, this.name);
      if (!current) {
        this.lease = await this.client.create<Lease>(Resources.leases, {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: this.options.namespace, name: this.name }, spec: desired,
        });
        this.observe(desired);
        return true;
      }
      const spec = current.spec ?? {};
      this.observe(spec);
      const holder = spec.holderIdentity ?? '';
      const iHold = holder === this.identity;
      const expired = performance.now() > this.observed!.at + (spec.leaseDurationSeconds ?? 0) * 1000;
      if (holder && !iHold && !expired) return false;
      if (iHold) {
        desired.acquireTime = spec.acquireTime;
        desired.leaseTransitions = spec.leaseTransitions ?? 0;
      } else {
        desired.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
      }
      this.lease = await this.client.update<Lease>(Resources.leases, { ...current, spec: desired });
      this.observe(desired);
      return true;
    } catch (err) {
      // Conflict / AlreadyExists: another replica wrote first; anything else: API trouble. Both mean "not this round".
      if (!isConflict(err) && !isAlreadyExists(err) && !isNotFound(err)) this.log.warn('lease update failed', { error: err });
      return false;
    }
  }

  /** Records when the Lease content last changed, on our own clock. */
  private observe(spec: LeaseSpec): void {
    const o = this.observed?.spec;
    if (!o || o.holderIdentity !== spec.holderIdentity || o.renewTime !== spec.renewTime || o.leaseDurationSeconds !== spec.leaseDurationSeconds) {
      this.observed = { spec, at: performance.now() };
    }
  }
}
