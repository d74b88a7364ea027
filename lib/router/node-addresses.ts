// Addresses of the cluster's Nodes (status.addresses), watched, so the router never dials a node: a sandbox
// reporting a node's address (hostNetwork, or a forged status) would open the kubelet and every node-local service.
import { Backoff, Informer, listerWatcherFor, reportingTo, Resources, type KubeClient, type KubeObject } from '../kube';

interface Node extends KubeObject {
  status?: { addresses?: Array<{ type: string; address: string }> };
}

/** What admission asks: is this IP one of a node's? */
export interface NodeAddressIndex {
  isNodeAddress(ip: string): boolean;
  /** True once the first list has loaded (the router is not ready before). */
  ready(): boolean;
}

export const NO_NODES: NodeAddressIndex = { isNodeAddress: () => false, ready: () => true };

const IP_TYPES = new Set(['InternalIP', 'ExternalIP']);

export class NodeAddressCache implements NodeAddressIndex {
  private addresses = new Set<string>();
  private readonly informer: Informer<Node>;
  private readonly abort = new AbortController();

  constructor(client: KubeClient, options: { retryDelayMs?: number; onError?: (err: unknown) => void } = {}) {
    this.informer = new Informer<Node>(listerWatcherFor(client, Resources.nodes), {
      name: 'Node', log: reportingTo(options.onError), backoff: new Backoff(options.retryDelayMs ?? 1000),
    });
    const reindex = () => { this.addresses = new Set(this.informer.list().flatMap(nodeAddresses)); };
    this.informer.addEventHandler({ onAdd: reindex, onUpdate: reindex, onDelete: reindex });
  }

  isNodeAddress(ip: string): boolean {
    return this.addresses.has(ip.replace(/^::ffff:/i, ''));
  }

  ready(): boolean {
    return this.informer.hasSynced();
  }

  /** Lists and watches Nodes in the background; resolves after the first list. */
  async start(): Promise<void> {
    void this.informer.start(this.abort.signal);
    await this.informer.waitForSync(this.abort.signal);
  }

  stop(): void {
    this.abort.abort();
  }
}

function nodeAddresses(node: Node): string[] {
  return (node.status?.addresses ?? []).filter((a) => IP_TYPES.has(a.type)).map((a) => a.address);
}
