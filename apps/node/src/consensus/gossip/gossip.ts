import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { sha3, toHex } from '@arc/core';
import { WebSocket, WebSocketServer } from 'ws';
import { DialTarget } from './dial-target.ts';
import { GOSSIP_ERRORS, GossipError } from './errors.ts';
import { dialBackoffMs } from './limits.ts';
import { Link, type LinkClose, type LinkContext, type LinkEvents } from './link.ts';
import { type ResolvedGossipOptions, resolveGossipOptions } from './options.ts';
import { SeenSet } from './seen-set.ts';
import { preferNewLink } from './tie-break.ts';
import type { GossipMessageHandler, GossipNodeOptions, PeerStatus } from './types.ts';

/**
 * The node-to-node gossip transport of consensus: WebSockets to the peers of the configuration (dialed and redialed
 * with backoff) and from any peer that dials us, each authenticated by a signed handshake (handshake.ts) on the same
 * chain and genesis. Payloads are opaque bytes: each distinct one (by sha3) is delivered once to the handlers, then
 * flooded to every other peer unless a handler refuses. Every queue and rate is bounded (GOSSIP_LIMITS); loss is
 * preferred to blocking. cut()/heal() inject faults for tests.
 *
 * One link per peer DID: when two nodes dial each other, both keep the connection dialed by the lower DID (and of two
 * connections dialed by the same peer, the newer one: the peer redials only when it thinks the old one dead).
 */
export class GossipNode {
  /** This node's DID (node role). */
  readonly did: string;
  readonly #options: ResolvedGossipOptions;
  readonly #seen: SeenSet;
  /** Authenticated links, one per peer DID. */
  readonly #links = new Map<string, Link>();
  /** Links still in the handshake, both directions. */
  readonly #pending = new Set<Link>();
  /** Inbound links, handshaking or connected (bounded by inboundConnectionsMax). */
  readonly #inbound = new Set<Link>();
  readonly #targets: DialTarget[];
  /** Inbound peers refused lately, by claimed DID or address, oldest first. */
  readonly #refusals = new Map<string, PeerStatus>();
  readonly #handlers: GossipMessageHandler[] = [];
  readonly #cut = new Set<string>();
  #cutAll = false;
  #started = false;
  #wss: WebSocketServer | null = null;
  /** The HTTP server upgrades arrive on: our own (standalone) or the node's. */
  #server: HttpServer | null = null;
  #ownServer = false;
  #tick: NodeJS.Timeout | null = null;
  readonly #context: LinkContext;

  constructor(options: GossipNodeOptions) {
    this.#options = resolveGossipOptions(options);
    this.did = this.#options.identity.did;
    this.#seen = new SeenSet(this.#options.limits.seenMax);
    this.#targets = this.#options.peers.map((url) => new DialTarget(url));
    const { identity, limits, now, log } = this.#options;
    this.#context = { identity, limits, now, log };
  }

  /** The URL peers dial us at (ws://host:port/path), once listening. */
  get url(): string | null {
    const address = this.#server?.address();
    if (address === null || address === undefined || typeof address === 'string') return null;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `ws://${host}:${(address as AddressInfo).port}${this.#options.path}`;
  }

  /** Listens (own port, or the given server's path) and dials every configured peer. */
  async start(): Promise<void> {
    // #wss is set from the first line of start() to the end of stop(): a second start() meanwhile is refused.
    if (this.#wss !== null) throw new GossipError('ALREADY_STARTED');
    const { listen, limits } = this.#options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.messageBytesMax,
      perMessageDeflate: false,
      clientTracking: false,
    });
    if ('server' in listen) {
      this.#server = listen.server;
      this.#ownServer = false;
    } else {
      const server = createServer((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' });
        res.end('This is a gossip WebSocket endpoint.\n');
      });
      server.on('clientError', (_error, socket) => socket.destroy());
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(listen.port, listen.host, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        this.#wss.close();
        this.#wss = null;
        throw new GossipError('LISTEN_FAILED', `Gossip cannot listen on ${listen.host}:${listen.port}: ${(error as Error).message}.`);
      }
      server.on('error', (error) => this.#options.log(`gossip: the listener failed: ${error.message}`));
      this.#server = server;
      this.#ownServer = true;
    }
    this.#server.on('upgrade', this.#onUpgrade);
    this.#started = true;
    this.#tick = setInterval(this.#onTick, limits.pingIntervalMs);
    this.#tick.unref();
    for (const target of this.#targets) {
      target.state = 'connecting';
      target.failures = 0;
      this.#dial(target);
    }
  }

  /** Closes every connection (1001), stops dialing and listening. Handlers, cuts and the seen set are kept. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    if (this.#tick !== null) clearInterval(this.#tick);
    this.#tick = null;
    for (const target of this.#targets) target.cancel();
    const links = new Set([...this.#links.values(), ...this.#pending, ...this.#inbound]);
    for (const target of this.#targets) if (target.link !== null) links.add(target.link);
    for (const link of links) link.close(1001, 'The node is stopping.');
    await Promise.all([...links].map((link) => link.closed));
    this.#links.clear();
    this.#pending.clear();
    this.#inbound.clear();
    for (const target of this.#targets) target.link = null;
    const server = this.#server;
    server?.off('upgrade', this.#onUpgrade);
    this.#wss?.close();
    this.#wss = null;
    this.#server = null;
    if (server !== null && this.#ownServer) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Registers a reader of payloads (see GossipMessageHandler); returns its removal. */
  onMessage(handler: GossipMessageHandler): () => void {
    this.#handlers.push(handler);
    return () => {
      const index = this.#handlers.indexOf(handler);
      if (index >= 0) this.#handlers.splice(index, 1);
    };
  }

  /** Sends a payload to every connected peer and marks it seen (so it is not delivered back to us). */
  broadcast(payload: Uint8Array): void {
    this.#checkSize(payload);
    this.#seen.add(toHex(sha3(payload)));
    for (const link of this.#links.values()) link.send(payload);
  }

  /** Sends a payload to one connected peer (marked seen, as broadcast); false when it is not connected or is cut. */
  sendTo(did: string, payload: Uint8Array): boolean {
    this.#checkSize(payload);
    this.#seen.add(toHex(sha3(payload)));
    return this.#links.get(did)?.send(payload) ?? false;
  }

  /** Connected peers, configured peers not connected, and inbound peers refused lately. */
  peers(): PeerStatus[] {
    const out: PeerStatus[] = [...this.#links.values()].map((link) => link.status());
    for (const target of this.#targets) {
      if (target.did === null || !this.#links.has(target.did)) out.push(target.status());
    }
    for (const refusal of this.#refusals.values()) {
      if (refusal.did === null || !this.#links.has(refusal.did)) out.push({ ...refusal });
    }
    return out;
  }

  /** True while a link to `did` is open and not cut: what this node sends reaches that peer directly. */
  linked(did: string): boolean {
    return this.#links.has(did) && !this.#isCut(did);
  }

  /** Fault injection: drops every payload to and from this DID (now and on later connections) until heal(did). */
  cut(did: string): void {
    this.#cut.add(did);
    this.#links.get(did)?.setCut(true);
  }

  heal(did: string): void {
    this.#cut.delete(did);
    this.#links.get(did)?.setCut(this.#isCut(did));
  }

  /** Fault injection: cuts every peer, present and future, until healAll(). */
  cutAll(): void {
    this.#cutAll = true;
    for (const link of this.#links.values()) link.setCut(true);
  }

  /** Heals every cut, including those of cut(did). */
  healAll(): void {
    this.#cutAll = false;
    this.#cut.clear();
    for (const link of this.#links.values()) link.setCut(false);
  }

  #isCut(did: string): boolean {
    return this.#cutAll || this.#cut.has(did);
  }

  #checkSize(payload: Uint8Array): void {
    const bytesMax = this.#options.limits.messageBytesMax;
    if (payload.length > bytesMax) {
      throw new GossipError('MESSAGE_TOO_LARGE', `The payload is ${payload.length} bytes; the gossip limit is ${bytesMax}.`);
    }
  }

  #dial(target: DialTarget): void {
    if (!this.#started || target.link !== null) return;
    // Parked: the peer is connected by a link it opened; its end wakes this target.
    if (target.did !== null && this.#links.has(target.did)) return;
    const { limits } = this.#options;
    let ws: WebSocket;
    try {
      ws = new WebSocket(target.url, {
        maxPayload: limits.messageBytesMax,
        perMessageDeflate: false,
        handshakeTimeout: limits.handshakeTimeoutMs,
        followRedirects: false,
      });
    } catch (error) {
      // The URL was checked when the node was built; whatever ws still refuses is retried at the slowest pace.
      target.state = 'refused';
      target.lastError = `The URL cannot be dialed: ${(error as Error).message}.`;
      target.schedule(limits.dialBackoffMaxMs, () => this.#dial(target));
      return;
    }
    const link = new Link(ws, 'outbound', target.url, target.url, this.#context, this.#events);
    target.link = link;
    this.#pending.add(link);
  }

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const server = this.#server;
    const path = (req.url ?? '/').split('?')[0];
    if (path !== this.#options.path) {
      // Another protocol's upgrade (the node's HTTP server has several); with no one else listening, nobody answers it.
      if (server === null || server.listenerCount('upgrade') === 1) socket.destroy();
      return;
    }
    const wss = this.#wss;
    if (!this.#started || wss === null) {
      socket.destroy();
      return;
    }
    const { limits, log } = this.#options;
    const handshaking = [...this.#pending].filter((link) => link.direction === 'inbound').length;
    if (this.#inbound.size >= limits.inboundConnectionsMax || handshaking >= limits.handshakesPendingMax) {
      log(`gossip: refused an upgrade from ${req.socket.remoteAddress}: ${this.#inbound.size} inbound, ${handshaking} handshaking`);
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    // An upgrade listener that throws is an uncaught exception of the HTTP server: end this request instead.
    try {
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (!this.#started) {
          ws.terminate();
          return;
        }
        const link = new Link(ws, 'inbound', 'inbound', remote, this.#context, this.#events);
        this.#inbound.add(link);
        if (link.state !== 'closed') this.#pending.add(link);
      });
    } catch (error) {
      log(`gossip: an upgrade from ${remote} failed: ${(error as Error).message}`);
      socket.destroy();
    }
  };

  readonly #onTick = (): void => {
    for (const link of this.#links.values()) {
      try {
        link.keepalive();
      } catch (error) {
        this.#options.log(`gossip: keepalive of ${link.describe()} failed: ${(error as Error).message}`);
        link.ws.terminate();
      }
    }
  };

  readonly #events: LinkEvents = {
    authenticated: (link) => this.#onAuthenticated(link),
    payload: (link, payload) => this.#onPayload(link, payload),
    closed: (link, close) => this.#onClosed(link, close),
  };

  #onAuthenticated(link: Link): void {
    this.#pending.delete(link);
    const did = link.peerDid as string;
    const target = this.#targets.find((candidate) => candidate.link === link);
    if (target !== undefined) target.did = did;
    const existing = this.#links.get(did);
    if (existing !== undefined) {
      const reason = `A connection with ${did} exists; the tie-break keeps the other.`;
      if (!preferNewLink(existing.dialerDid, link.dialerDid, this.did)) {
        link.refuse('DUPLICATE_CONNECTION', reason);
        return;
      }
      existing.refuse('DUPLICATE_CONNECTION', reason);
    }
    this.#links.set(did, link);
    link.setCut(this.#isCut(did));
    this.#refusals.delete(did);
    if (target !== undefined) {
      target.state = 'connecting';
      target.failures = 0;
      target.lastError = null;
    }
    this.#options.log(`gossip: connected ${link.describe()}`);
  }

  #onPayload(link: Link, payload: Uint8Array): void {
    const from = link.peerDid as string;
    if (!this.#seen.add(toHex(sha3(payload)))) return;
    let relay = true;
    for (const handler of [...this.#handlers]) {
      try {
        if (handler(payload, from) === false) relay = false;
      } catch (error) {
        // A handler that throws is a bug of consensus; the message is not relayed, the link lives on.
        relay = false;
        this.#options.log(`gossip: a message handler threw on a payload from ${from}: ${(error as Error).stack ?? String(error)}`);
      }
    }
    if (!relay) return;
    for (const other of this.#links.values()) if (other !== link) other.send(payload);
  }

  #onClosed(link: Link, close: LinkClose): void {
    this.#pending.delete(link);
    this.#inbound.delete(link);
    const did = link.peerDid;
    if (did !== null && this.#links.get(did) === link) {
      this.#links.delete(did);
      this.#options.log(`gossip: disconnected ${link.describe()}: ${close.reason}`);
      this.#wake(did);
    }
    const target = this.#targets.find((candidate) => candidate.link === link);
    if (target !== undefined) {
      target.link = null;
      this.#afterDial(target, close, link.peerDid);
    } else if (close.refusal !== null && close.refusal !== 'DUPLICATE_CONNECTION' && this.#started) {
      this.#recordRefusal(link, close);
    }
  }

  /** Dials again the parked targets of a DID whose link ended. */
  #wake(did: string): void {
    if (!this.#started) return;
    for (const target of this.#targets) {
      if (target.did !== did || target.link !== null || target.scheduled) continue;
      target.failures = 0;
      target.schedule(dialBackoffMs(1, this.#options.limits), () => this.#dial(target));
    }
  }

  /** What an ended outbound connection means for its target: redial soon, later, or at the slowest pace. */
  #afterDial(target: DialTarget, close: LinkClose, claimedDid: string | null): void {
    if (!this.#started) return;
    const { limits, log } = this.#options;
    const dial = () => this.#dial(target);
    if (close.refusal === 'DUPLICATE_CONNECTION') {
      target.state = 'connecting';
      if (target.did !== null && this.#links.has(target.did)) return;
      target.failures += 1;
      target.schedule(dialBackoffMs(target.failures, limits), dial);
      return;
    }
    target.lastError = close.refusedBy === 'peer' ? `Refused by the peer: ${close.reason}` : close.reason;
    if (close.wasConnected) {
      target.state = 'connecting';
      target.failures = 0;
      target.schedule(dialBackoffMs(1, limits), dial);
      return;
    }
    target.failures += 1;
    target.state = close.refusal === null ? 'connecting' : 'refused';
    target.claimedDid = close.refusal === null ? null : claimedDid;
    // A peer that will never accept us (another genesis…) is retried at the slowest pace only.
    const hopeless = close.refusal !== null && !GOSSIP_ERRORS[close.refusal].retriable;
    const delayMs = hopeless ? limits.dialBackoffMaxMs : dialBackoffMs(target.failures, limits);
    if (close.refusal !== null || target.failures === 1)
      log(`gossip: dialing ${target.url} failed (${target.lastError}); again in ${delayMs} ms`);
    target.schedule(delayMs, dial);
  }

  #recordRefusal(link: Link, close: LinkClose): void {
    const key = link.peerDid ?? `inbound ${link.remote}`;
    const lastError = close.refusedBy === 'peer' ? `Refused by the peer: ${close.reason}` : close.reason;
    this.#refusals.delete(key);
    this.#refusals.set(key, { ...link.status(), state: 'refused', lastError, connectedAtMs: null, rttMs: null });
    if (this.#refusals.size > this.#options.limits.refusalsRecordedMax) {
      const oldest = this.#refusals.keys().next();
      if (!oldest.done) this.#refusals.delete(oldest.value);
    }
  }
}
