// `kubectl port-forward` to the router Pod: the API server has already authorized the caller (`pods/portforward`
// on that Pod), and the kubelet's runtime delivers the connection from loopback inside the Pod's own network
// namespace. The kernel drops packets with a loopback source that arrive on any other interface (martian
// filtering), so no other pod can open a connection that looks like this, whatever headers it sends. Only the
// socket's addresses are consulted, never X-Forwarded-For or similar.
import * as net from 'node:net';

const isLoopback = (address: string | undefined): boolean => {
  if (!address) return false;
  const v4 = net.isIPv4(address) ? address : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  return v4 ? v4.startsWith('127.') : address === '::1';
};

/** True when both ends of `socket` are loopback addresses: a port-forwarded (or same-Pod) connection. */
export function isPortForwarded(socket: Pick<net.Socket, 'remoteAddress' | 'localAddress'>): boolean {
  return isLoopback(socket.remoteAddress) && isLoopback(socket.localAddress);
}
