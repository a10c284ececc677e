import { randomBytes } from 'node:crypto';
import { type RawData, WebSocket } from 'ws';
import { closeCodeOf, closeReason, type GossipErrorCode, gossipCodeOfClose } from './errors.ts';
import {
  type AuthFrame,
  checkHello,
  type HandshakeIdentity,
  type HelloFrame,
  makeAuth,
  makeHello,
  NONCE_BYTES,
  parseHandshakeFrame,
  type Refusal,
  verifyAuth,
} from './handshake.ts';
import type { GossipLimits } from './limits.ts';
import { SendQueue } from './send-queue.ts';
import type { PeerStatus } from './types.ts';

export interface LinkContext {
  identity: HandshakeIdentity;
  limits: GossipLimits;
  now: () => number;
  log: (line: string) => void;
}

/** How a link ended. */
export interface LinkClose {
  /** Our refusal when we refused the peer, else the peer's when its close code is one of ours. */
  refusal: GossipErrorCode | null;
  refusedBy: 'us' | 'peer' | null;
  /** A sentence: the refusal's reason, the peer's close reason, or the socket's error. */
  reason: string;
  /** Whether the peer had been authenticated. */
  wasConnected: boolean;
}

/** What a link tells its node. Called from socket events; the node must not throw from them. */
export interface LinkEvents {
  authenticated(link: Link): void;
  payload(link: Link, payload: Uint8Array): void;
  closed(link: Link, close: LinkClose): void;
}

type LinkState = 'opening' | 'handshaking' | 'connected' | 'closing' | 'closed';

/**
 * One WebSocket with one peer, either direction: the handshake (hello, auth), then binary payloads both ways through
 * a bounded send queue, an inbound rate bound and keepalive. The link judges frames; the node decides which
 * authenticated links to keep and what to do with payloads.
 */
export class Link {
  #state: LinkState = 'opening';
  /** The peer's hello: its DID is a claim until the state is connected. */
  peerHello: HelloFrame | null = null;
  messagesIn = 0;
  messagesOut = 0;
  droppedInbound = 0;
  droppedOutbound = 0;
  rttMs: number | null = null;
  connectedAtMs: number | null = null;
  #cut = false;
  readonly #nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  readonly #queue: SendQueue<Uint8Array>;
  #tokens: number;
  #tokensAtMs: number;
  #lastHeardMs: number;
  #pingSentAtMs: number | null = null;
  #handshakeTimer: NodeJS.Timeout | null;
  #graceTimer: NodeJS.Timeout | null = null;
  #ownRefusal: Refusal | null = null;
  #socketError: string | null = null;
  readonly #closed: Promise<void>;
  #resolveClosed: () => void = () => {};

  constructor(
    readonly ws: WebSocket,
    readonly direction: 'outbound' | 'inbound',
    /** The dialed URL, or 'inbound'. */
    readonly url: string,
    /** host:port of the other end, for logs. */
    readonly remote: string,
    readonly ctx: LinkContext,
    readonly events: LinkEvents,
  ) {
    const { limits, now } = ctx;
    this.#queue = new SendQueue(limits.sendQueueMax);
    this.#tokens = limits.inboundMessagesPerSecondMax;
    this.#tokensAtMs = now();
    this.#lastHeardMs = now();
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    // From the first byte: an outbound timeout covers the TCP connect and the HTTP upgrade too.
    this.#handshakeTimer = setTimeout(
      this.#guard(() => this.refuse('HANDSHAKE_TIMEOUT', `The handshake did not complete within ${limits.handshakeTimeoutMs} ms.`)),
      limits.handshakeTimeoutMs,
    );
    this.#handshakeTimer.unref();
    const onOpen = this.#guard(() => this.#begin());
    const onMessage = this.#guard((data: RawData, isBinary: boolean) => this.#onMessage(data, isBinary));
    const onPing = this.#guard(() => this.#heard());
    const onPong = this.#guard(() => this.#onPong());
    ws.on('open', onOpen);
    ws.on('message', onMessage);
    ws.on('ping', onPing);
    ws.on('pong', onPong);
    ws.on('error', (error: Error & { code?: string }) => this.#onError(error));
    ws.on('close', (code: number, reason: Buffer) => this.#onClose(code, reason.toString('utf8')));
    if (ws.readyState === WebSocket.OPEN) this.#begin();
  }

  get state(): LinkState {
    return this.#state;
  }

  /** The peer's DID: authenticated once connected, claimed before, null before its hello. */
  get peerDid(): string | null {
    return this.peerHello?.did ?? null;
  }

  /** The DID of the side that opened this connection (the duplicate tie-break compares these). */
  get dialerDid(): string {
    return this.direction === 'outbound' ? this.ctx.identity.did : (this.peerDid ?? '');
  }

  get cut(): boolean {
    return this.#cut;
  }

  /** While cut, payloads both ways are dropped silently (queued ones too); pings still flow, so the link stays up. */
  setCut(cut: boolean): void {
    this.#cut = cut;
    if (cut) this.#queue.clear();
  }

  /** Resolves once the socket is closed. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Queues a payload for the peer; false when the link is not connected or is cut. */
  send(payload: Uint8Array): boolean {
    if (this.#state !== 'connected' || this.#cut) return false;
    this.droppedOutbound += this.#queue.push(payload);
    this.#flush();
    return true;
  }

  /** Keepalive, from the node's timer: drops a peer silent past the timeout, else pings it and feeds the socket. */
  keepalive(): void {
    if (this.#state !== 'connected') return;
    const { limits, now } = this.ctx;
    const silentMs = now() - this.#lastHeardMs;
    if (silentMs > limits.peerSilenceTimeoutMs) {
      this.refuse('PEER_SILENT', `Nothing was heard from the peer for ${silentMs} ms.`);
      return;
    }
    this.#pingSentAtMs = now();
    this.ws.ping();
    this.#flush();
  }

  /** Closes with our code and reason sentence (logged): the peer learns why, and the node records it. */
  refuse(code: GossipErrorCode, reason: string): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#ownRefusal = { code, reason };
    this.ctx.log(`gossip: refused ${this.describe()}: ${reason}`);
    this.close(closeCodeOf(code), reason);
  }

  /** Closes the socket (a close frame, then destroyed after closeGraceMs if the peer does not answer). */
  close(code: number, reason: string): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#state = 'closing';
    this.#clearHandshakeTimer();
    this.#queue.clear();
    if (this.ws.readyState !== WebSocket.OPEN) {
      this.ws.terminate();
      return;
    }
    this.ws.close(code, closeReason(reason));
    this.#graceTimer = setTimeout(() => this.ws.terminate(), this.ctx.limits.closeGraceMs);
    this.#graceTimer.unref();
  }

  /** The peer as logs name it. */
  describe(): string {
    const did = this.peerDid ?? 'a peer';
    return this.direction === 'outbound' ? `${did} at ${this.url}` : `${did} (inbound from ${this.remote})`;
  }

  status(): PeerStatus {
    return {
      did: this.peerDid,
      url: this.url,
      state: 'connected',
      lastError: null,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      dropped: this.droppedInbound + this.droppedOutbound,
      droppedInbound: this.droppedInbound,
      droppedOutbound: this.droppedOutbound,
      queued: this.#queue.length,
      rttMs: this.rttMs,
      connectedAtMs: this.connectedAtMs,
      cut: this.#cut,
    };
  }

  #begin(): void {
    if (this.#state !== 'opening') return;
    this.#state = 'handshaking';
    // Until the peer is authenticated, a frame may only be as large as a hello: a stranger cannot make us buffer 8 MiB.
    setFrameBytesMax(this.ws, this.ctx.limits.helloFrameBytesMax);
    const hello = makeHello(this.ctx.identity, this.#nonce, this.ctx.now());
    this.ws.send(JSON.stringify(hello));
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    this.#heard();
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data;
    if (this.#state === 'connected') {
      if (!isBinary) {
        this.refuse('TEXT_AFTER_AUTH', 'A text frame arrived after the handshake; payloads are binary frames.');
        return;
      }
      if (this.#cut) return;
      if (!this.#takeToken()) {
        this.droppedInbound += 1;
        return;
      }
      this.messagesIn += 1;
      this.events.payload(this, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return;
    }
    if (this.#state !== 'handshaking') return;
    if (isBinary) {
      this.refuse('BINARY_BEFORE_AUTH', 'A binary frame arrived before the handshake completed.');
      return;
    }
    const bytesMax = this.ctx.limits.helloFrameBytesMax;
    if (bytes.length > bytesMax) {
      this.refuse('BAD_HANDSHAKE', `The handshake frame is ${bytes.length} bytes; the limit is ${bytesMax}.`);
      return;
    }
    const parsed = parseHandshakeFrame(bytes.toString('utf8'));
    if (!parsed.ok) this.refuse(parsed.refusal.code, parsed.refusal.reason);
    else if (parsed.frame.type === 'hello') this.#onHello(parsed.frame);
    else this.#onAuth(parsed.frame);
  }

  #onHello(hello: HelloFrame): void {
    if (this.peerHello !== null) {
      this.refuse('BAD_HANDSHAKE', 'A second hello arrived on one connection.');
      return;
    }
    this.peerHello = hello;
    const refusal = checkHello(this.ctx.identity, hello, this.ctx.now(), this.ctx.limits.helloClockSkewMsMax);
    if (refusal !== null) {
      this.refuse(refusal.code, refusal.reason);
      return;
    }
    this.ws.send(JSON.stringify(makeAuth(this.ctx.identity, this.#nonce, hello)));
  }

  #onAuth(auth: AuthFrame): void {
    const hello = this.peerHello;
    if (hello === null) {
      this.refuse('BAD_HANDSHAKE', 'An auth arrived before the hello.');
      return;
    }
    if (!verifyAuth(this.ctx.identity, this.#nonce, hello, auth)) {
      this.refuse('BAD_SIGNATURE', `The auth of ${hello.did} does not verify with the public key of its hello.`);
      return;
    }
    this.#clearHandshakeTimer();
    this.#state = 'connected';
    this.connectedAtMs = this.ctx.now();
    setFrameBytesMax(this.ws, this.ctx.limits.messageBytesMax);
    this.events.authenticated(this);
  }

  #onPong(): void {
    this.#heard();
    if (this.#pingSentAtMs === null) return;
    this.rttMs = this.ctx.now() - this.#pingSentAtMs;
    this.#pingSentAtMs = null;
  }

  #onError(error: Error & { code?: string }): void {
    // ws closes the socket itself after an error (1009 for an oversized frame, 1002/1007 for broken frames).
    this.#socketError =
      error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
        ? `A frame over the ${this.#state === 'connected' ? this.ctx.limits.messageBytesMax : this.ctx.limits.helloFrameBytesMax}-byte limit arrived (closed with 1009).`
        : `The connection failed: ${error.message}.`;
    // A dial that never opened is the node's to report (once per outage, not once per redial).
    if (this.#state === 'handshaking' || this.#state === 'connected') this.ctx.log(`gossip: ${this.describe()}: ${this.#socketError}`);
  }

  #onClose(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    const wasConnected = this.connectedAtMs !== null;
    this.#state = 'closed';
    this.#clearHandshakeTimer();
    if (this.#graceTimer !== null) clearTimeout(this.#graceTimer);
    this.#queue.clear();
    let close: LinkClose;
    const peerRefusal = gossipCodeOfClose(code);
    if (this.#ownRefusal !== null) {
      close = { refusal: this.#ownRefusal.code, refusedBy: 'us', reason: this.#ownRefusal.reason, wasConnected };
    } else if (peerRefusal !== undefined) {
      close = { refusal: peerRefusal, refusedBy: 'peer', reason: reason || `The peer refused us (${peerRefusal}).`, wasConnected };
    } else {
      close = { refusal: null, refusedBy: null, reason: this.#socketError ?? (reason || `The connection closed (${code}).`), wasConnected };
    }
    this.#resolveClosed();
    try {
      this.events.closed(this, close);
    } catch (error) {
      this.ctx.log(`gossip: handling the close of ${this.describe()} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  #heard(): void {
    this.#lastHeardMs = this.ctx.now();
  }

  /** Feeds queued payloads to the socket while it holds less than sendBufferBytesMax; each write's callback feeds it again. */
  #flush(): void {
    const bufferBytesMax = this.ctx.limits.sendBufferBytesMax;
    while (this.#queue.length > 0 && this.#state === 'connected' && this.ws.bufferedAmount < bufferBytesMax) {
      const payload = this.#queue.shift() as Uint8Array;
      this.messagesOut += 1;
      this.ws.send(payload, { binary: true }, this.#afterWrite);
    }
  }

  readonly #afterWrite = (error?: Error): void => {
    if (error !== undefined && error !== null) {
      this.#socketError = `A write failed: ${error.message}.`;
      return;
    }
    if (this.#queue.length > 0) this.#flush();
  };

  /** A token bucket refilled at inboundMessagesPerSecondMax per second, holding at most one second's worth. */
  #takeToken(): boolean {
    const rate = this.ctx.limits.inboundMessagesPerSecondMax;
    const nowMs = this.ctx.now();
    this.#tokens = Math.min(rate, this.#tokens + ((nowMs - this.#tokensAtMs) * rate) / 1000);
    this.#tokensAtMs = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #clearHandshakeTimer(): void {
    if (this.#handshakeTimer !== null) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = null;
  }

  /** Runs a socket event's handler so that nothing it throws reaches the process: a bug ends this link, logged. */
  #guard<A extends unknown[]>(handler: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        handler(...args);
      } catch (error) {
        this.ctx.log(`gossip: a bug while handling ${this.describe()}: ${(error as Error).stack ?? String(error)}`);
        this.#ownRefusal ??= { code: 'INTERNAL', reason: 'The connection failed on a bug of this node.' };
        this.ws.terminate();
      }
    };
  }
}

/**
 * Sets the largest frame the socket accepts. ws has no public setter; its receiver keeps the bound in `_maxPayload`
 * (ws 8.x) and checks it as each frame header arrives. Without it (another ws) the bound stays messageBytesMax and
 * the size check of handshake frames still applies after they arrive; a test pins the behaviour.
 */
function setFrameBytesMax(ws: WebSocket, bytes: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (receiver !== undefined && typeof receiver._maxPayload === 'number') receiver._maxPayload = bytes;
}
