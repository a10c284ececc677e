import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy for tests, between a realtime client and a node, that can drop or freeze a connection at a chosen
 * step of the WebSocket and Socket.io conversation. It forwards whole units (the HTTP upgrade head, then one
 * WebSocket frame at a time, unmasked for inspection only: the bytes go out as they came), so a rule sees each
 * Socket.io packet (`40…` CONNECT, `42N["subscribe",…]`, `43N[…]` an ack, `42["event",…]`) before it passes.
 */

/** up: client → node; down: node → client. */
export type ProxyDirection = 'up' | 'down';

export interface ProxyUnit {
  direction: ProxyDirection;
  /** The HTTP head of the upgrade, or a WebSocket frame. */
  kind: 'http' | 'ws';
  /** The text (HTTP head, or a text frame's payload); null for binary and control frames. */
  text: string | null;
}

/**
 * forward: pass it on. drop: end both sides without passing it (the step never completes). freeze: hold it and
 * everything after it, both ways, until heal(). blackhole: a half-open connection: the node sees it close, the
 * client sees nothing more, ever, and whatever it sends is lost. The `forward-then-` forms pass the unit first.
 */
export type ProxyAction = 'forward' | 'drop' | 'freeze' | 'blackhole' | 'forward-then-drop' | 'forward-then-freeze';

/** Bounds of the proxy: it buffers one unit per direction and what a frozen link holds. */
export const TCP_PROXY_LIMITS = {
  /** A WebSocket frame or HTTP head larger than this ends the link (tests do not send such). */
  unitBytesMax: 8 * 1024 * 1024,
  /** Bytes a frozen link holds before it is dropped. */
  frozenBytesMax: 64 * 1024 * 1024,
} as const;

/** Cuts a byte stream into the HTTP head and then WebSocket frames. */
class UnitReader {
  #buffer: Buffer = Buffer.alloc(0);
  #inHead = true;

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    if (this.#buffer.length > TCP_PROXY_LIMITS.unitBytesMax) throw new Error('a unit larger than the proxy holds');
  }

  /** The next whole unit, or null until more bytes come. */
  next(): { bytes: Buffer; unit: Omit<ProxyUnit, 'direction'> } | null {
    const buffer = this.#buffer;
    if (this.#inHead) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return null;
      this.#inHead = false;
      return this.#take(end + 4, { kind: 'http', text: buffer.subarray(0, end + 4).toString('latin1') });
    }
    if (buffer.length < 2) return null;
    const first = buffer[0] as number;
    const second = buffer[1] as number;
    let length = second & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffer.length < 4) return null;
      length = buffer.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buffer.length < 10) return null;
      length = Number(buffer.readBigUInt64BE(2));
      offset = 10;
    }
    const masked = (second & 0x80) !== 0;
    const mask = masked ? buffer.subarray(offset, offset + 4) : null;
    if (masked) offset += 4;
    if (buffer.length < offset + length) return null;
    const opcode = first & 0x0f;
    let text: string | null = null;
    if (opcode === 1 || opcode === 0) {
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
      text = payload.toString('utf8');
    }
    return this.#take(offset + length, { kind: 'ws', text });
  }

  #take(size: number, unit: Omit<ProxyUnit, 'direction'>) {
    const bytes = this.#buffer.subarray(0, size);
    this.#buffer = this.#buffer.subarray(size);
    return { bytes, unit };
  }
}

/** One client connection and its connection to the node. */
export class ProxyLink {
  #frozen = false;
  #frozenBytes = 0;
  #held: { direction: ProxyDirection; bytes: Buffer }[] = [];
  #blackholed = false;
  readonly closed: Promise<void>;

  constructor(
    readonly client: Socket,
    readonly upstream: Socket,
    private readonly decide: (unit: ProxyUnit, link: ProxyLink) => ProxyAction,
  ) {
    const readers = { up: new UnitReader(), down: new UnitReader() };
    const onData = (direction: ProxyDirection) => (chunk: Buffer) => {
      const reader = readers[direction];
      try {
        reader.push(chunk);
        for (let next = reader.next(); next !== null; next = reader.next()) this.#pass(direction, next.bytes, { direction, ...next.unit });
      } catch (error) {
        // A test proxy: a stream it cannot cut is a broken test, and ends the link loudly.
        console.error(`tcp-proxy: ${(error as Error).message}`);
        this.drop();
      }
    };
    client.on('data', onData('up'));
    upstream.on('data', onData('down'));
    let ended!: () => void;
    this.closed = new Promise((resolve) => {
      ended = resolve;
    });
    // One side gone: the other goes too (a half-open link keeps its client side: that is the point of it).
    client.on('close', () => {
      upstream.destroy();
      ended();
    });
    upstream.on('close', () => {
      if (!this.#blackholed) client.destroy();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => this.#blackholed || client.destroy());
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  #pass(direction: ProxyDirection, bytes: Buffer, unit: ProxyUnit): void {
    if (this.#blackholed) return;
    if (this.#frozen) {
      this.#hold(direction, bytes);
      return;
    }
    const action = this.decide(unit, this);
    if (action === 'drop') {
      this.drop();
      return;
    }
    if (action === 'blackhole') {
      this.blackhole();
      return;
    }
    if (action === 'freeze') {
      this.#frozen = true;
      this.#hold(direction, bytes);
      return;
    }
    this.#write(direction, bytes);
    if (action === 'forward-then-drop') this.drop();
    else if (action === 'forward-then-freeze') this.#frozen = true;
  }

  #hold(direction: ProxyDirection, bytes: Buffer): void {
    this.#frozenBytes += bytes.length;
    if (this.#frozenBytes > TCP_PROXY_LIMITS.frozenBytesMax) {
      this.drop();
      return;
    }
    this.#held.push({ direction, bytes });
  }

  #write(direction: ProxyDirection, bytes: Buffer): void {
    const target = direction === 'up' ? this.upstream : this.client;
    if (!target.destroyed) target.write(bytes);
  }

  /** Passes on what a freeze held, in order, and forwards from now on. */
  heal(): void {
    this.#frozen = false;
    const held = this.#held;
    this.#held = [];
    this.#frozenBytes = 0;
    for (const { direction, bytes } of held) this.#write(direction, bytes);
  }

  /** Both sides see the connection end. */
  drop(): void {
    this.client.destroy();
    this.upstream.destroy();
  }

  /** The node sees the connection end; the client sees nothing more. */
  blackhole(): void {
    this.#blackholed = true;
    this.#held = [];
    this.upstream.destroy();
  }
}

/** A rule that acts once, on the first unit it matches. */
interface Armed {
  match: (unit: ProxyUnit, link: ProxyLink) => boolean;
  action: ProxyAction;
  fired: (link: ProxyLink) => void;
}

export class TcpProxy {
  readonly links = new Set<ProxyLink>();
  /** New connections are closed at once (the node looks down) while this is set. */
  refuse = false;
  #armed: Armed[] = [];
  #onLink: ((link: ProxyLink) => void)[] = [];

  private constructor(
    readonly server: Server,
    /** The node's port; change it to point at a node restarted on another port. */
    public targetPort: number,
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and forwards to 127.0.0.1:targetPort. */
  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = createServer((client) => proxy?.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy got no port');
    proxy = new TcpProxy(server, targetPort, address.port);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  accept(client: Socket): void {
    client.setNoDelay(true);
    if (this.refuse) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
    upstream.setNoDelay(true);
    const link = new ProxyLink(client, upstream, (unit, at) => this.#decide(unit, at));
    this.links.add(link);
    void link.closed.then(() => this.links.delete(link));
    for (const listener of this.#onLink.splice(0)) listener(link);
  }

  /** Acts once on the first unit (of any link) that `match` accepts; resolves with its link when it did. */
  arm(match: (unit: ProxyUnit, link: ProxyLink) => boolean, action: ProxyAction): Promise<ProxyLink> {
    return new Promise((fired) => this.#armed.push({ match, action, fired }));
  }

  /** Resolves with the next connection the proxy accepts. */
  nextLink(): Promise<ProxyLink> {
    return new Promise((resolve) => this.#onLink.push(resolve));
  }

  #decide(unit: ProxyUnit, link: ProxyLink): ProxyAction {
    const index = this.#armed.findIndex((armed) => armed.match(unit, link));
    if (index < 0) return 'forward';
    const [armed] = this.#armed.splice(index, 1);
    if (!armed) return 'forward';
    queueMicrotask(() => armed.fired(link));
    return armed.action;
  }

  /** Ends every open connection (both sides see it). */
  dropAll(): void {
    for (const link of this.links) link.drop();
  }

  healAll(): void {
    for (const link of this.links) link.heal();
  }

  async close(): Promise<void> {
    this.#armed = [];
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Matchers for the steps of a Socket.io conversation, for arm(). */
export const SOCKET_IO_STEPS = {
  /** The node's 101 answer to the WebSocket upgrade. */
  upgraded: (unit: ProxyUnit) => unit.kind === 'http' && unit.direction === 'down' && (unit.text ?? '').startsWith('HTTP/1.1 101'),
  /** The node's answer to the client's Socket.io CONNECT. */
  connected: (unit: ProxyUnit) => unit.kind === 'ws' && unit.direction === 'down' && (unit.text ?? '').startsWith('40'),
  /** A subscribe on its way to the node (optionally of one topic). */
  subscribe: (topic?: string) => (unit: ProxyUnit) =>
    unit.direction === 'up' &&
    /^42\d+\["subscribe"/.test(unit.text ?? '') &&
    (topic === undefined || (unit.text ?? '').includes(`"topic":"${topic}"`)),
  /** The node's answer to a subscribe (of one topic). */
  subscribeAck: (topic?: string) => (unit: ProxyUnit) =>
    unit.direction === 'down' &&
    /^43\d+\[\{"ok":/.test(unit.text ?? '') &&
    (topic === undefined || (unit.text ?? '').includes(`"topic":"${topic}"`)),
  /** An event of a topic on its way to the client. */
  event: (topic: string) => (unit: ProxyUnit) =>
    unit.direction === 'down' && (unit.text ?? '').startsWith('42["event"') && (unit.text ?? '').includes(`"topic":"${topic}"`),
} as const;
