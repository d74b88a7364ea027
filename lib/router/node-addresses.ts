// Addresses of the cluster's Nodes (status.addresses), watched, so the router never dials a node: a sandbox
// reporting a node's address (hostNetwork, or a forged status) would open the kubelet and every node-local service.
import { Resources, type KubeClient, type KubeObject } from '../kube';
import { listAndWatch } from './list-watch';

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
  private readonly byNode = new Map<string, readonly string[]>();
  private addresses = new Set<string>();
  private loaded = false;
  private readonly abort = new AbortController();

  constructor(private readonly client: KubeClient, private readonly options: { retryDelayMs?: number; onError?: (err: unknown) => void } = {}) {}

  isNodeAddress(ip: string): boolean {
    return this.addresses.has(ip.replace(/^::ffff:/i, ''));
  }

  ready(): boolean {
    return this.loaded;
  }

  /** Lists and watches Nodes in the background; resolves after the first list. */
  start(): Promise<void> {
    return new Promise((listed) => {
      void listAndWatch<Node>(this.client, Resources.nodes, {
        retryDelayMs: this.options.retryDelayMs ?? 1000, signal: this.abort.signal, onError: this.options.onError,
        onList: (list) => {
          this.byNode.clear();
          for (const node of list.items) this.set(node);
          this.loaded = true;
          listed();
        },
        onEvent: (event) => {
          if (event.type === 'DELETED') this.byNode.delete(event.object.metadata?.name ?? '');
          else if (event.type === 'ADDED' || event.type === 'MODIFIED') this.set(event.object);
          this.addresses = new Set([...this.byNode.values()].flat());
        },
      });
    });
  }

  stop(): void {
    this.abort.abort();
  }

  private set(node: Node): void {
    this.byNode.set(node.metadata?.name ?? '', (node.status?.addresses ?? []).filter((a) => IP_TYPES.has(a.type)).map((a) => a.address));
    this.addresses = new Set([...this.byNode.values()].flat());
  }
}
