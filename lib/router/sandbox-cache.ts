// Watch-backed cache of Ready Sandboxes (namespace/name -> pod IPs, Service FQDN), the router's source of
// truth for where sandboxes live (list, then watch: listAndWatch).
// An entry whose address refused a connection is re-read with a GET; watch events older than that read
// (a lagging watch) do not overwrite it.
import { ANNOTATION, CONDITION, LABEL, type Sandbox } from '../api';
import { parsePortList } from './config';
import { compareResourceVersions, Resources, type KubeClient, type WatchEvent } from '../kube';
import { listAndWatch } from './list-watch';
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

export class SandboxCache implements SandboxResolver {
  private readonly targets = new Map<string, SandboxTarget>();
  /** resourceVersion each entry was last updated from, to drop watch events older than a refresh. */
  private readonly versions = new Map<string, string>();
  /** The latest refresh() read per sandbox, shared by calls within refreshIntervalMs; dropped with the sandbox. */
  private readonly reads = new Map<string, { at: number; result: Promise<SandboxTarget | undefined> }>();
  private loaded = false;
  private readonly abort = new AbortController();
  private readonly clusterDomain: string;

  constructor(private readonly client: KubeClient, private readonly options: SandboxCacheOptions = {}) {
    this.clusterDomain = options.clusterDomain ?? 'cluster.local';
  }

  lookup(namespace: string, name: string): SandboxTarget | undefined {
    return this.targets.get(`${namespace}/${name}`);
  }

  ready(): boolean {
    return this.loaded;
  }

  refresh(namespace: string, name: string): Promise<SandboxTarget | undefined> {
    const key = `${namespace}/${name}`;
    const recent = this.reads.get(key);
    if (recent && Date.now() - recent.at < (this.options.refreshIntervalMs ?? 1000)) return recent.result;
    const result = this.client.getOrUndefined<Sandbox>(Resources.sandboxes, namespace, name).then((sandbox) => {
      if (sandbox) this.apply('MODIFIED', sandbox);
      else this.targets.delete(key);
      return this.lookup(namespace, name);
    });
    this.reads.set(key, { at: Date.now(), result });
    return result;
  }

  /** Starts listing and watching in the background; resolves after the first successful list. */
  start(): Promise<void> {
    return new Promise((resolveFirstList) => {
      void this.run(resolveFirstList);
    });
  }

  stop(): void {
    this.abort.abort();
  }

  private run(onListed: () => void): Promise<void> {
    return listAndWatch<Sandbox>(this.client, Resources.sandboxes, {
      namespace: this.options.namespace, retryDelayMs: this.options.retryDelayMs ?? 1000, signal: this.abort.signal, onError: this.options.onError,
      onList: (list) => {
        this.targets.clear();
        this.versions.clear();
        for (const sandbox of list.items) this.apply('ADDED', sandbox);
        this.loaded = true;
        onListed();
      },
      onEvent: (event) => this.apply(event.type, event.object),
    });
  }

  private apply(type: WatchEvent['type'], sandbox: Sandbox): void {
    if (type === 'BOOKMARK' || type === 'ERROR') return;
    const key = `${sandbox.metadata.namespace}/${sandbox.metadata.name}`;
    const version = sandbox.metadata.resourceVersion ?? '';
    if (isOlderResourceVersion(version, this.versions.get(key))) return;
    if (type === 'DELETED') {
      this.versions.delete(key);
      this.reads.delete(key);
    } else this.versions.set(key, version);
    const target = type === 'DELETED' ? undefined : toTarget(sandbox, this.clusterDomain);
    if (target) this.targets.set(key, target);
    else this.targets.delete(key);
  }
}

/** True when `version` is known to be older than `than`; versions that cannot be compared are not (the event applies). */
export function isOlderResourceVersion(version: string, than: string | undefined): boolean {
  return (compareResourceVersions(version, than) ?? 0) < 0;
}
