// What the router passes on and what it strips: hop-by-hop headers, Host and Authorization never reach
// a sandbox; X-Forwarded-* are replaced (never trusted from the client); Origin is dropped on upgrades;
// which responses count as streamed.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const NEVER_FORWARDED = new Set(['host', 'authorization', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);

function connectionTokens(headers: IncomingHttpHeaders): Set<string> {
  return new Set((headers.connection ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}

/** Headers for the upstream request. `upgrade` keeps the Upgrade handshake headers and drops Origin. */
export function upstreamRequestHeaders(req: IncomingMessage, upgrade: boolean): OutgoingHttpHeaders {
  const listed = connectionTokens(req.headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || NEVER_FORWARDED.has(name) || listed.has(name)) continue;
    if (upgrade && name === 'origin') continue;
    out[name] = value;
  }
  out['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  if (req.headers.host) out['x-forwarded-host'] = req.headers.host;
  out['x-forwarded-proto'] = 'http';
  if (upgrade) {
    out.connection = 'Upgrade';
    out.upgrade = req.headers.upgrade ?? '';
  }
  return out;
}

/** Response headers to pass back to the client (hop-by-hop removed; Node re-frames the body). */
export function clientResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = connectionTokens(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !listed.has(name)) out[name] = value;
  }
  return out;
}

const STREAMED_TYPES = new Set(['application/x-ndjson', 'text/event-stream']);

/** Responses that stay open while a command runs (streamed exec, server-sent events): bounded by idleness, not total time. */
export function isStreamedResponse(headers: IncomingHttpHeaders): boolean {
  return STREAMED_TYPES.has((headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase());
}

/** Serialises a raw HTTP/1.1 response head for writing to an upgraded socket. */
export function rawResponseHead(statusCode: number, statusMessage: string, rawHeaders: readonly string[]): string {
  let head = `HTTP/1.1 ${statusCode} ${statusMessage}\r\n`;
  for (let i = 0; i < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return head + '\r\n';
}
