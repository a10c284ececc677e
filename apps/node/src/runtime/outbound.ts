import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { HostCallError } from './sandbox/types.ts';

/**
 * Outbound HTTP of blocklets (`ctx.fetch`): the target is resolved once, every address it resolves to is checked
 * against the ranges a blocklet may never reach (loopback, private, link-local, unique-local, multicast,
 * unspecified, and their IPv4-mapped forms) unless the operator allows them, and the connection goes to the
 * address that was checked (no second lookup, so no DNS-rebinding window). The body is streamed under a byte
 * cap counted on the wire and after decompression; the request is aborted when the cap is passed, when the
 * deadline passes, or when the invocation ends.
 */

/** Bounds of one outbound request. */
export const OUTBOUND_LIMITS = {
  /** Most bytes of the response body, counted both on the wire and after decompression. */
  bodyBytesMax: 1024 * 1024,
  /** Most bytes of the request body a blocklet sends. */
  requestBodyBytesMax: 1024 * 1024,
  /** Deadline of one request, from the call to the last body byte. */
  timeoutMs: 5000,
} as const;

/** Which non-public targets the node operator lets blocklets reach (BLOCKLET_FETCH_ALLOW_PRIVATE). */
export type PrivateTargets = 'none' | 'all' | { cidrs: string[] };

const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", includes the unspecified 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local (cloud metadata endpoints live here)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const)
  NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed privately)
  ['ff00::', 8], // multicast
] as const)
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address an IPv6 address carries (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::), if any. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^(?:::ffff:|::|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const high = Number.parseInt(hex[1], 16);
    const low = Number.parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return null;
}

/** True when `address` (an IP literal) is in a range a blocklet may not reach by default. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return NON_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIpv4(address);
  if (v4 !== null) return NON_PUBLIC.check(v4, 'ipv4');
  return NON_PUBLIC.check(address, 'ipv6');
}

/** Parses BLOCKLET_FETCH_ALLOW_PRIVATE: `false` (default), `true`, or a comma-separated list of CIDRs. */
export function parsePrivateTargets(text: string): PrivateTargets {
  const value = text.trim();
  if (value === '' || value === 'false') return 'none';
  if (value === 'true') return 'all';
  const cidrs = value.split(',').map((s) => s.trim());
  for (const cidr of cidrs) {
    const [net, prefix] = cidr.split('/');
    const family = isIP(net ?? '');
    const bits = Number(prefix);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128))
      throw new Error(`"${cidr}" is not a CIDR such as 10.0.0.0/8 or fd00::/8 (or use true / false)`);
  }
  return { cidrs };
}

function allowedList(targets: PrivateTargets): BlockList | null {
  if (typeof targets === 'string') return null;
  const list = new BlockList();
  for (const cidr of targets.cidrs) {
    const [net = '', prefix = ''] = cidr.split('/');
    list.addSubnet(net, Number(prefix), isIP(net) === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** True when a blocklet may connect to `address` under the operator's setting. */
export function targetAllowed(address: string, targets: PrivateTargets): boolean {
  if (!isNonPublicAddress(address) || targets === 'all') return true;
  const list = allowedList(targets);
  if (list === null) return false;
  const v4 = isIP(address) === 6 ? embeddedIpv4(address) : null;
  return v4 !== null ? list.check(v4, 'ipv4') : list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}

export interface OutboundRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function limitExceeded(): HostCallError {
  return new HostCallError(
    'LIMIT_EXCEEDED',
    `the response body is over ${OUTBOUND_LIMITS.bodyBytesMax} bytes (on the wire or decompressed)`,
  );
}

/** Resolves the host once and picks the address to connect to, refusing non-public ones unless allowed. */
async function resolveTarget(hostname: string, targets: PrivateTargets): Promise<{ address: string; family: 4 | 6 }> {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  let addresses: { address: string; family: number }[];
  if (isIP(bare) !== 0) addresses = [{ address: bare, family: isIP(bare) }];
  else {
    try {
      addresses = await dnsLookup(bare, { all: true, verbatim: true });
    } catch (error) {
      throw new HostCallError('FETCH_FAILED', `${bare} does not resolve: ${(error as Error).message}`);
    }
  }
  // Every address must pass: a name that also resolves to a private address is refused, whichever one we would pick.
  const refused = addresses.find((a) => !targetAllowed(a.address, targets));
  if (refused)
    throw new HostCallError(
      'PERMISSION_DENIED',
      `${bare} resolves to ${refused.address}, a private, loopback, link-local or otherwise non-public address; blocklets may not reach it unless the node operator allows it (BLOCKLET_FETCH_ALLOW_PRIVATE)`,
    );
  const first = addresses[0];
  if (!first) throw new HostCallError('FETCH_FAILED', `${bare} has no address`);
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** Reads a response body under the cap, decompressing gzip / deflate / br with the same cap on the output. */
function readBody(response: IncomingMessage, fail: (error: HostCallError) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const encoding = String(response.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    const decoder =
      encoding === 'identity' || encoding === ''
        ? null
        : encoding === 'gzip' || encoding === 'x-gzip'
          ? createGunzip()
          : encoding === 'deflate'
            ? createInflate()
            : encoding === 'br'
              ? createBrotliDecompress()
              : undefined;
    if (decoder === undefined) {
      fail(new HostCallError('FETCH_FAILED', `the response uses the content-encoding "${encoding}", which ctx.fetch does not decode`));
      return;
    }
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    let decodedBytes = 0;
    const onDecoded = (chunk: Buffer) => {
      decodedBytes += chunk.length;
      if (decodedBytes > OUTBOUND_LIMITS.bodyBytesMax) {
        decoder?.destroy();
        fail(limitExceeded());
        return;
      }
      chunks.push(chunk);
    };
    response.on('data', (chunk: Buffer) => {
      wireBytes += chunk.length;
      if (wireBytes > OUTBOUND_LIMITS.bodyBytesMax) {
        decoder?.destroy();
        fail(limitExceeded());
        return;
      }
      if (decoder) decoder.write(chunk);
      else onDecoded(chunk);
    });
    response.on('error', reject);
    if (decoder) {
      decoder.on('data', onDecoded);
      decoder.on('error', (error) => reject(new HostCallError('FETCH_FAILED', `the response body does not decode: ${error.message}`)));
      decoder.on('end', () => resolve(Buffer.concat(chunks)));
      response.on('end', () => decoder.end());
    } else response.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * Sends one request to a host the manifest already allows. `signal` ends with the invocation; the request is
 * also aborted after OUTBOUND_LIMITS.timeoutMs. Errors are HostCallErrors the blocklet can read.
 */
export async function outboundFetch(request: OutboundRequest, targets: PrivateTargets, signal: AbortSignal): Promise<OutboundResponse> {
  const { url } = request;
  if (request.body !== undefined && Buffer.byteLength(request.body) > OUTBOUND_LIMITS.requestBodyBytesMax)
    throw new HostCallError('LIMIT_EXCEEDED', `a request body is at most ${OUTBOUND_LIMITS.requestBodyBytesMax} bytes`);
  const target = await resolveTarget(url.hostname, targets);
  if (signal.aborted) throw new HostCallError('FETCH_FAILED', 'the invocation ended before the request was sent');
  // The connection goes to the checked address; the URL's name still travels as Host and as the TLS server name.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: object[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(OUTBOUND_LIMITS.timeoutMs)]);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<OutboundResponse>((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, value?: OutboundResponse) => {
      if (settled) return;
      settled = true;
      deadline.removeEventListener('abort', onAbort);
      if (error) {
        // Stop reading at once: the server sees the connection close.
        req.destroy();
        reject(error);
      } else resolve(value as OutboundResponse);
    };
    const onAbort = () =>
      settle(
        new HostCallError(
          'FETCH_FAILED',
          signal.aborted
            ? `fetching ${url.host} was cut off: the invocation ended`
            : `fetching ${url.host} took over ${OUTBOUND_LIMITS.timeoutMs} ms`,
        ),
      );
    deadline.addEventListener('abort', onAbort, { once: true });
    let req: ReturnType<typeof httpRequest>;
    try {
      req = send(url, {
        method: request.method,
        headers: request.headers,
        lookup: pinned,
        ...(url.protocol === 'https:' && isIP(url.hostname) === 0 ? { servername: url.hostname } : {}),
      });
    } catch (error) {
      deadline.removeEventListener('abort', onAbort);
      reject(new HostCallError('BAD_INPUT', `ctx.fetch: ${(error as Error).message}`));
      return;
    }
    req.on('error', (error) => settle(new HostCallError('FETCH_FAILED', `fetching ${url.host} failed: ${error.message}`)));
    req.on('response', (response) => {
      readBody(response, (error) => settle(error)).then(
        (body) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers))
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          settle(null, { status: response.statusCode ?? 0, headers, body: body.toString('utf8') });
        },
        (error: unknown) =>
          settle(
            error instanceof HostCallError
              ? error
              : new HostCallError('FETCH_FAILED', `reading ${url.host} failed: ${(error as Error).message}`),
          ),
      );
    });
    if (deadline.aborted) onAbort();
    req.end(request.body);
  });
}
