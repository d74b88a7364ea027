// Watch-backed cache of Ready Sandboxes (namespace/name -> pod IPs, Service FQDN), the router's source of
// truth for where sandboxes live (the shared Informer of lib/kube).
// An entry whose address refused a connection is re-read with a GET; a lagging watch does not overwrite that read
// until it delivers the read's own version (resourceVersions are compared for equality only, never ordered).
import { ANNOTATION, CONDITION, LABEL, type Sandbox } from '../api';
import { parsePortList } from './config';
import { Backoff, Informer, listerWatcherFor, objectKey, reportingTo, Resources, type KubeApi } from '../kube';
import type { SandboxResolver, SandboxTarget } from './resolver';

export interface SandboxCacheOptions {
  /** Watch only this namespace. @default all namespaces */
  readonly namespace?: string;
  /** Cluster domain for Services whose status has a name but no FQDN. @default "cluster.local" */
  readonly clusterDomain?: string;
  /** Delay before relisting after a failed list or watch. @default 1000 */
  readonly retryDelayMs?: number;
  /**
   * One refresh() GET per sandbox per this interval; calls in between share its result, so clients hammering
   * a crashed sandbox cannot turn into API server load. @default 1000
   */
  readonly refreshIntervalMs?: number;
  readonly onError?: (err: unknown) => void;
}

/**
 * The routable view of a Sandbox: Ready=True and not an unclaimed warm-pool member (those are only
 * reachable once a claim adopts them, which removes the warm-pool label).
 */
export function toTarget(sandbox: Sandbox, clusterDomain: string): SandboxTarget | undefined {
  const { namespace = 'default', name, uid = '', labels = {}, deletionTimestamp } = sandbox.metadata;
  const ready = sandbox.status?.conditions?.some((c) => c.type === CONDITION.ready && c.status === 'True');
  if (!name || !ready || deletionTimestamp || labels[LABEL.warmPoolSandbox] !== undefined) return undefined;
  const { podIPs = [], serviceFQDN, service } = sandbox.status ?? {};
  const fqdn = serviceFQDN || (service ? `${service}.${namespace}.svc.${clusterDomain}` : undefined);
  const { metadata: podMetadata, spec: podSpec } = sandbox.spec.podTemplate ?? {};
  const routerPorts = podMetadata?.annotations?.[ANNOTATION.routerPorts];
  return {
    namespace, name, uid, podIPs, serviceFQDN: fqdn,
    hostNetwork: podSpec?.hostNetwork === true,
    allowedPorts: routerPorts === undefined ? undefined : portsOrNone(routerPorts),
    ...(sandbox.spec.idleTimeoutSeconds ? { idleTimeoutSeconds: sandbox.spec.idleTimeoutSeconds } : {}),
  };
}

/** A malformed annotation allows no port (fail closed); the refusal names the annotation. */
function portsOrNone(raw: string): readonly number[] {
  try {
    return parsePortList(raw, ANNOTATION.routerPorts) ?? [];
  } catch {
    return [];
  }
}

/**
 * How long a refresh() read outranks the watch for its sandbox, at most: until the watch delivers that same version
 * (or the sandbox's deletion), the cache keeps the read's answer; after this, it follows the watch again.
 */
const REFRESH_PIN_MS = 10_000;

/** A refresh() answer the watch has not caught up with: its resourceVersion (undefined: the sandbox was gone). */
interface Pin {
  version?: string;
  at: number;
}

export class SandboxCache implements SandboxResolver {
  private readonly targets = new Map<string, SandboxTarget>();
  /**
   * Sandboxes whose refresh() read is newer than the watch. resourceVersions are opaque, so a watch event cannot be
   * ordered against the read: events are held back until one carries the read's own version.
   */
  private readonly pins = new Map<string, Pin>();
  /** The latest refresh() read per sandbox, shared by calls within refreshIntervalMs; dropped with the sandbox. */
  private readonly reads = new Map<string, { at: number; result: Promise<SandboxTarget | undefined> }>();
  private readonly informer: Informer<Sandbox>;
  private readonly abort = new AbortController();
  private readonly clusterDomain: string;

  constructor(private readonly client: KubeApi, private readonly options: SandboxCacheOptions = {}) {
    this.clusterDomain = options.clusterDomain ?? 'cluster.local';
    this.informer = new Informer<Sandbox>(listerWatcherFor(client, Resources.sandboxes, { namespace: options.namespace }), {
      name: 'Sandbox', log: reportingTo(options.onError), backoff: new Backoff(options.retryDelayMs ?? 1000),
    });
    this.informer.addEventHandler({
      onAdd: (sandbox) => this.observe(sandbox),
      onUpdate: (_old, sandbox) => this.observe(sandbox),
      onDelete: (sandbox) => this.forget(objectKey(sandbox)),
    });
  }

  lookup(namespace: string, name: string): SandboxTarget | undefined {
    const key = `${namespace}/${name}`;
    const pin = this.pins.get(key);
    if (pin && Date.now() - pin.at > REFRESH_PIN_MS) {
      this.pins.delete(key);
      const watched = this.informer.getByKey(key);
      if (watched) this.setTarget(key, watched);
      else this.targets.delete(key);
    }
    return this.targets.get(key);
  }

  ready(): boolean {
    return this.informer.hasSynced();
  }

  refresh(namespace: string, name: string): Promise<SandboxTarget | undefined> {
    const key = `${namespace}/${name}`;
    const recent = this.reads.get(key);
    if (recent && Date.now() - recent.at < (this.options.refreshIntervalMs ?? 1000)) return recent.result;
    const result = this.client.getOrUndefined<Sandbox>(Resources.sandboxes, namespace, name).then((sandbox) => {
      const version = sandbox?.metadata.resourceVersion;
      if (version === undefined || version !== this.informer.getByKey(key)?.metadata.resourceVersion) this.pins.set(key, { version, at: Date.now() });
      if (sandbox) this.setTarget(key, sandbox);
      else this.targets.delete(key);
      return this.targets.get(key);
    });
    this.reads.set(key, { at: Date.now(), result });
    return result;
  }

  /** Starts listing and watching in the background; resolves after the first successful list. */
  async start(): Promise<void> {
    void this.informer.start(this.abort.signal);
    await this.informer.waitForSync(this.abort.signal);
  }

  stop(): void {
    this.abort.abort();
  }

  private observe(sandbox: Sandbox): void {
    const key = objectKey(sandbox);
    const pin = this.pins.get(key);
    if (pin) {
      if (pin.version === undefined || sandbox.metadata.resourceVersion !== pin.version) return; // the watch still lags the read
      this.pins.delete(key);
    }
    this.setTarget(key, sandbox);
  }

  private forget(key: string): void {
    this.pins.delete(key);
    this.reads.delete(key);
    this.targets.delete(key);
  }

  private setTarget(key: string, sandbox: Sandbox): void {
    const target = toTarget(sandbox, this.clusterDomain);
    if (target) this.targets.set(key, target);
    else this.targets.delete(key);
  }
}
