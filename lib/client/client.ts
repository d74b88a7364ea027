// SandboxClient: "give me a sandbox from this warm pool" in one call — create (or re-attach to) a claim,
// wait for Ready, and hand back a SandboxHandle connected through the router or directly. Every call is bounded
// (see deadline.ts) and its failures name the API server, the kubeconfig context and the step in progress.
import { CONDITION, type Sandbox, type SandboxClaim, type SandboxStartup } from '../api';
import { isNotFound, KubeClient, Resources } from '../kube';
import { actionsWaitMs, judgeActions, type ActionsResult } from './actions';
import { createClaim, deleteClaim, waitForClaim, waitForClaimReady, type ClaimRequest } from './claims';
import { resolveEndpoint, type ConnectionConfig } from './connection';
import { Deadline } from './deadline';
import { DirectLifecycle } from './direct-lifecycle';
import { ActionFollower, type ActionOutputChunk } from './follow';
import { SandboxError, type ApiServerRef } from './errors';
import { SandboxHandle } from './sandbox';

export interface SandboxClientOptions {
  /** How to reach sandboxes. */
  readonly connection: ConnectionConfig;
  /** API client. @default KubeClient.create({ kubeconfig, context }) */
  readonly kube?: KubeClient;
  /** Kubeconfig path when `kube` is not given. @default $KUBECONFIG, ~/.kube/config or in-cluster */
  readonly kubeconfig?: string;
  /** Kubeconfig context when `kube` is not given. @default the kubeconfig's current context */
  readonly context?: string;
  /** Bound on each API call without an answer (connecting included). @default 30000 */
  readonly requestTimeoutMs?: number;
  /**
   * Direct mode: a failed write of a sandbox's last-activity annotation (idle suspend may then come early).
   * @default - a process warning, once per distinct message
   */
  readonly onActivityError?: (err: unknown) => void;
}

/** Bounds one SDK call. */
export interface CallOptions {
  /** Ends the call early (it then rejects with an AbortError). */
  readonly signal?: AbortSignal;
  /** Bound on the whole call: connecting, every API call and any wait. @default 30000 (createSandbox: 180000) */
  readonly timeoutMs?: number;
}

export interface CreateSandboxOptions extends Omit<ClaimRequest, 'namespace'>, Omit<CallOptions, 'timeoutMs'> {
  /** @default - the kubeconfig context's namespace, else "default" */
  readonly namespace?: string;
  /** Bound on the whole call: creating the claim, waiting for Ready and connecting. @default 180000 */
  readonly readyTimeoutMs?: number;
}

export interface RunActionsOptions extends Omit<CreateSandboxOptions, 'startup' | 'readyTimeoutMs'> {
  /** The task: run in order in the claimed sandbox (a warm one at once). */
  readonly actions: SandboxStartup['actions'];
  /** @default "Suspend" (the Pod goes, PVCs stay; resume to read its files) */
  readonly completionPolicy?: SandboxStartup['completionPolicy'];
  /** A failed action leaves the sandbox running for debugging. @default false */
  readonly keepOnFailure?: boolean;
  /** Bound on the whole call. @default every action's timeout plus 180 s */
  readonly timeoutMs?: number;
  /**
   * Receives each action's output live, followed from the sandbox's runtime through this client's connection (no API
   * write per chunk); ActionsResult.followed then lists the actions whose whole output it received. @default - none
   */
  readonly onOutput?: (chunk: ActionOutputChunk) => void;
}

/** One claim, as `list` shows it. */
export interface ClaimSummary {
  readonly namespace: string;
  readonly name: string;
  readonly warmPool: string;
  /** The bound Sandbox, once there is one. */
  readonly sandbox?: string;
  /** The Ready condition's status: "True", "False" or "Unknown" (no condition yet). */
  readonly ready: string;
  readonly reason?: string;
  readonly createdAt?: Date;
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** As the router's --resume-hold-seconds. */
const DEFAULT_RESUME_HOLD_SECONDS = 30;

/** Warns once per distinct message, so a lasting failure does not repeat every write interval. */
function warnOnce(): (err: unknown) => void {
  const seen = new Set<string>();
  return (err) => {
    const message = `agent-sandbox-kit: recording sandbox activity failed: ${(err as Error).message}`;
    if (seen.has(message)) return;
    seen.add(message);
    process.emitWarning(message);
  };
}

export class SandboxClient {
  private kube?: KubeClient;
  /** Direct mode's activity and resume, shared by every handle of this client. */
  private direct?: DirectLifecycle;

  constructor(private readonly options: SandboxClientOptions) {
    this.kube = options.kube;
  }

  /** The namespace calls default to: the kubeconfig context's (in-cluster: the pod's), else "default". */
  async defaultNamespace(): Promise<string> {
    return (await this.client()).origin?.namespace ?? 'default';
  }

  /**
   * Claims a sandbox from `warmPool` and waits until it is Ready. With a caller-chosen `name` this is
   * idempotent: calling it again re-attaches to the same claim. A claim this call created is deleted again
   * when waiting fails.
   */
  async createSandbox(options: CreateSandboxOptions): Promise<SandboxHandle> {
    const namespace = options.namespace ?? await this.defaultNamespace();
    const deadline = new Deadline(options.readyTimeoutMs ?? 180_000, `creating a SandboxClaim in ${namespace} from warm pool ${options.warmPool}`, options.signal);
    return this.bounded(deadline, async (kube) => {
      const { claim, created } = await createClaim(kube, { ...options, namespace }, deadline.signal);
      const name = claim.metadata.name!;
      try {
        deadline.step = `waiting for SandboxClaim ${namespace}/${name} to become Ready`;
        const sandbox = await waitForClaimReady(kube, namespace, name, deadline.timeoutMs, deadline.signal);
        deadline.step = `reading Sandbox ${namespace}/${sandbox}`;
        return await this.handle(namespace, sandbox, name, deadline.signal);
      } catch (err) {
        // Bounded on its own: the caller's deadline may already have passed.
        if (created) await deleteClaim(kube, namespace, name, AbortSignal.timeout(5_000)).catch(() => undefined);
        throw err;
      }
    });
  }

  /**
   * Claims a sandbox from `warmPool` to run `actions`, waits until they end, and returns their typed result (the
   * sandbox then follows `completionPolicy`, suspended by default). Idempotent for a given `name`: calling it again
   * waits for the same claim's result.
   */
  async runActions(options: RunActionsOptions): Promise<ActionsResult> {
    const namespace = options.namespace ?? await this.defaultNamespace();
    const { actions, completionPolicy, keepOnFailure, timeoutMs, onOutput, ...request } = options;
    const deadline = new Deadline(timeoutMs ?? actionsWaitMs(actions), `running actions in a SandboxClaim in ${namespace} from warm pool ${options.warmPool}`, options.signal);
    return this.bounded(deadline, async (kube) => {
      const startup: SandboxStartup = { actions, ...(completionPolicy && { completionPolicy }), ...(keepOnFailure !== undefined && { keepOnFailure }) };
      const { claim } = await createClaim(kube, { ...request, namespace, startup }, deadline.signal);
      const name = claim.metadata.name!;
      deadline.step = `waiting for the actions of SandboxClaim ${namespace}/${name}`;
      if (!onOutput) return waitForClaim(kube, namespace, name, deadline.timeoutMs, judgeActions, deadline.signal);
      const follower = new ActionFollower(kube, namespace, (sandbox) => this.handle(namespace, sandbox, name, deadline.signal), onOutput);
      try {
        const result = await waitForClaim(kube, namespace, name, deadline.timeoutMs, (c) => {
          follower.see(c);
          return judgeActions(c);
        }, deadline.signal);
        return { ...result, followed: await follower.finish() };
      } finally {
        await follower.finish();
      }
    });
  }

  /** Re-attaches to an existing Ready claim by name. */
  async getSandbox(claimName: string, namespace?: string, options: CallOptions = {}): Promise<SandboxHandle> {
    const ns = namespace ?? await this.defaultNamespace();
    const deadline = new Deadline(options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, `reading SandboxClaim ${ns}/${claimName}`, options.signal);
    return this.bounded(deadline, async (kube) => {
      let claim: SandboxClaim;
      try {
        claim = await kube.get<SandboxClaim>(Resources.sandboxClaims, ns, claimName, { signal: deadline.signal });
      } catch (err) {
        if (isNotFound(err)) throw new SandboxError(`SandboxClaim ${ns}/${claimName} not found`);
        throw err;
      }
      const sandbox = claim.status?.sandbox?.name;
      if (!sandbox) throw new SandboxError(`SandboxClaim ${ns}/${claimName} has no sandbox yet`);
      deadline.step = `reading Sandbox ${ns}/${sandbox}`;
      return this.handle(ns, sandbox, claimName, deadline.signal);
    });
  }

  /** The claims in `namespace` (default: the context's), or in every namespace with `allNamespaces`. */
  async listClaims(options: CallOptions & { readonly namespace?: string; readonly allNamespaces?: boolean } = {}): Promise<ClaimSummary[]> {
    const namespace = options.allNamespaces ? undefined : options.namespace ?? await this.defaultNamespace();
    const deadline = new Deadline(options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, `listing SandboxClaims ${namespace ? `in ${namespace}` : 'in all namespaces'}`, options.signal);
    return this.bounded(deadline, async (kube) => {
      const list = await kube.listAll<SandboxClaim>(Resources.sandboxClaims, { namespace, signal: deadline.signal });
      return list.items.map((claim) => {
        const ready = claim.status?.conditions?.find((c) => c.type === CONDITION.ready);
        const created = claim.metadata.creationTimestamp;
        return {
          namespace: claim.metadata.namespace ?? '', name: claim.metadata.name ?? '', warmPool: claim.spec.warmPoolRef.name,
          sandbox: claim.status?.sandbox?.name, ready: ready?.status ?? 'Unknown', reason: ready?.reason,
          createdAt: created ? new Date(created) : undefined,
        };
      });
    });
  }

  /** Deletes a claim by name, whether or not it ever became Ready (idempotent). */
  async terminate(claimName: string, namespace?: string, options: CallOptions = {}): Promise<void> {
    const ns = namespace ?? await this.defaultNamespace();
    const deadline = new Deadline(options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, `deleting SandboxClaim ${ns}/${claimName}`, options.signal);
    await this.bounded(deadline, (kube) => deleteClaim(kube, ns, claimName, deadline.signal));
  }

  /** Writes the activity still pending (direct mode) and closes the API connections. */
  async close(): Promise<void> {
    await this.direct?.stop();
    this.kube?.close();
  }

  /** Runs `call` under `deadline`, reporting failures that are not the server's own answer with the server named. */
  private async bounded<T>(deadline: Deadline, call: (kube: KubeClient) => Promise<T>): Promise<T> {
    const kube = await this.client();
    const server: ApiServerRef = { server: kube.origin?.server, context: kube.origin?.context };
    try {
      return await call(kube);
    } catch (err) {
      throw deadline.explain(err, server);
    }
  }

  private async handle(namespace: string, sandbox: string, claimName: string, signal?: AbortSignal): Promise<SandboxHandle> {
    const kube = await this.client();
    const address = { namespace, sandbox };
    const { connection } = this.options;
    const resolve = (s?: AbortSignal, known?: Sandbox) => resolveEndpoint(connection, address, kube, s, known);
    if (connection.mode === 'direct') {
      this.direct ??= new DirectLifecycle(kube, {
        holdMs: (connection.resumeHoldSeconds ?? DEFAULT_RESUME_HOLD_SECONDS) * 1000, onActivityError: this.options.onActivityError ?? warnOnce(),
      });
    }
    return new SandboxHandle(kube, address, claimName, await resolve(signal), (known) => resolve(undefined, known), this.direct);
  }

  private async client(): Promise<KubeClient> {
    const { kubeconfig, context, requestTimeoutMs = DEFAULT_CALL_TIMEOUT_MS } = this.options;
    this.kube ??= await KubeClient.create({ kubeconfig, context, requestTimeoutMs });
    return this.kube;
  }
}
