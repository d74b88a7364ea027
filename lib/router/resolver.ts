// Where a sandbox can be reached: the router asks a resolver (watch-backed cache in production,
// a static table in unit tests) and never connects anywhere a resolver did not name.

/** A Ready sandbox the router may forward to. */
export interface SandboxTarget {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** From Sandbox status.podIPs; preferred. */
  readonly podIPs: readonly string[];
  /** `<name>.<ns>.svc.<clusterDomain>` when the Sandbox has a Service; DNS fallback when there is no pod IP. */
  readonly serviceFQDN?: string;
  /** The pod shares its node's network namespace: never proxied to. @default false */
  readonly hostNetwork?: boolean;
  /** Ports callers may name (the pod template's `router-ports` annotation; empty when it is invalid). @default - any */
  readonly allowedPorts?: readonly number[];
  /** The Sandbox's spec.idleTimeoutSeconds: its activity is recorded. @default - none */
  readonly idleTimeoutSeconds?: number;
}

export interface SandboxResolver {
  /** The Ready sandbox `namespace/name`, or undefined when unknown or not Ready. */
  lookup(namespace: string, name: string): SandboxTarget | undefined;
  /** True once the initial list has been loaded (`/readyz`). */
  ready(): boolean;
  /**
   * Forgets what is known about `namespace/name` and reads it again from the source of truth; called when the
   * known address refused a connection (e.g. the pod moved while the watch lagged). Undefined: gone or not Ready.
   */
  refresh(namespace: string, name: string): Promise<SandboxTarget | undefined>;
}

/** A fixed table of targets (unit tests, single-sandbox development). */
export class StaticResolver implements SandboxResolver {
  private readonly byKey: Map<string, SandboxTarget>;

  constructor(targets: readonly SandboxTarget[]) {
    this.byKey = new Map(targets.map((t) => [`${t.namespace}/${t.name}`, t]));
  }

  lookup(namespace: string, name: string): SandboxTarget | undefined {
    return this.byKey.get(`${namespace}/${name}`);
  }

  ready(): boolean {
    return true;
  }

  async refresh(namespace: string, name: string): Promise<SandboxTarget | undefined> {
    return this.lookup(namespace, name);
  }
}
