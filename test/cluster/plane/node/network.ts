// The real node's network: one bridge the plane creates, pods and Services only in the RFC 2544 benchmarking
// range 198.18.0.0/15, and one nftables table of ours that keeps pod traffic inside it. Global sysctls stay
// as they were: forwarding is enabled on the bridge only (IPv4 decides by the input device), which is all
// that pod -> ClusterIP -> pod needs, since such packets come in and go out on the bridge.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeSysctl } from './host-state';

export const nodeNetwork = {
  bridge: 'askbr0',
  /** The bridge's address: node InternalIP, API server, kubelet, DNS. */
  nodeIp: '198.18.0.1',
  podCidr: '198.18.0.0/16',
  serviceCidr: '198.19.0.0/16',
  /** First address of the Service range: the `kubernetes` Service. */
  kubernetesServiceIp: '198.19.0.1',
  /** Pods and Services: the only destination pods have a route for. */
  podRoutes: '198.18.0.0/15',
  /** The nftables table of ours (kube-proxy keeps its own `kube-proxy` tables). */
  nftTable: { family: 'inet', name: 'agent-sandbox-kit' },
} as const;

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function bridgeExists(): boolean {
  return existsSync(`/sys/class/net/${nodeNetwork.bridge}`);
}

/** Creates the bridge with the node address and forwarding on that interface only. */
export function createBridge(): void {
  const { bridge, nodeIp, podCidr } = nodeNetwork;
  if (!bridgeExists()) ip(['link', 'add', bridge, 'type', 'bridge']);
  ip(['addr', 'replace', `${nodeIp}/${podCidr.split('/')[1]}`, 'dev', bridge]);
  ip(['link', 'set', bridge, 'up']);
  writeSysctl(`net.ipv4.conf.${bridge}.forwarding`, '1');
}

export function deleteBridge(): void {
  if (bridgeExists()) ip(['link', 'del', nodeNetwork.bridge]);
}

/**
 * Forward: nothing from the bridge leaves it (a pod that adds its own default route still reaches nothing
 * else). Input: from the bridge, the host answers only the API server and DNS, plus replies to its own
 * connections (kubelet probes, masqueraded Service traffic).
 */
export function applyFirewall(apiserverPort: number): void {
  const { bridge, nodeIp, nftTable: { family, name } } = nodeNetwork;
  const script = [
    `table ${family} ${name}`,
    `delete table ${family} ${name}`,
    `table ${family} ${name} {`,
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    `    iifname "${bridge}" oifname != "${bridge}" drop`,
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    `    iifname "${bridge}" ct state established,related accept`,
    `    iifname "${bridge}" ip daddr ${nodeIp} tcp dport ${apiserverPort} accept`,
    `    iifname "${bridge}" ip daddr ${nodeIp} meta l4proto { tcp, udp } th dport 53 accept`,
    `    iifname "${bridge}" drop`,
    '  }',
    '}',
    '',
  ].join('\n');
  execFileSync('nft', ['-f', '-'], { input: script, stdio: ['pipe', 'ignore', 'pipe'] });
}
