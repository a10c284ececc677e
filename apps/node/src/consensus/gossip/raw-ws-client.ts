import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * Test support: a WebSocket client written from RFC 6455 on a bare TCP socket, so tests can play a stranger that
 * the `ws` package would never let us be (garbage frames, lying frame headers, a reader that never reads). Not used
 * by the node itself.
 */
export interface RawFrame {
  opcode: number;
  payload: Buffer;
}

export const OPCODE = { text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export interface RawClose {
  /** The close code the server sent, or null when the socket ended without a close frame. */
  code: number | null;
  reason: string;
}

export class RawWsClient {
  readonly #frames: RawFrame[] = [];
  readonly #waiters: ((frame: RawFrame | null) => void)[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  #close: RawClose | null = null;
  #ended = false;
  /** Resolves when the server closes (its close frame, or the socket ending). */
  readonly closed: Promise<RawClose>;
  #resolveClosed: (close: RawClose) => void = () => {};

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => this.#end());
    socket.on('close', () => this.#end());
  }

  /** Connects and upgrades; resolves with the client, or with the HTTP status line when the upgrade is refused. */
  static async connect(url: string): Promise<RawWsClient | { status: string }> {
    const target = new URL(url);
    const socket = connect(Number(target.port), target.hostname);
    // Errors before the client takes the socket over end the upgrade below (the socket closes after an error).
    let failure: Error | null = null;
    socket.on('error', (error) => {
      failure = error;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('close', () => reject(failure ?? new Error('the socket closed before connecting')));
    });
    socket.write(
      `GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let head = Buffer.alloc(0);
    const rest = await new Promise<Buffer>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        resolve(head.subarray(end + 4));
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error('the server closed during the upgrade')));
    }).catch((error: Error) => error);
    const statusLine = head.toString('latin1').split('\r\n')[0] ?? '';
    if (rest instanceof Error || !statusLine.includes(' 101 ')) {
      socket.destroy();
      return { status: statusLine };
    }
    const client = new RawWsClient(socket);
    if (rest.length > 0) client.#onData(rest);
    return client;
  }

  sendText(text: string): void {
    this.sendFrame(OPCODE.text, Buffer.from(text, 'utf8'));
  }

  sendBinary(bytes: Uint8Array): void {
    this.sendFrame(OPCODE.binary, Buffer.from(bytes));
  }

  /** One masked frame, as a client must send. */
  sendFrame(opcode: number, payload: Buffer): void {
    const mask = randomBytes(4);
    const masked = Buffer.alloc(payload.length);
    for (let i = 0; i < payload.length; i++) masked[i] = (payload[i] as number) ^ (mask[i % 4] as number);
    this.socket.write(Buffer.concat([frameHeader(opcode, payload.length), mask, masked]));
  }

  /** Only the header of a frame claiming `length` bytes (and its mask): for testing limits checked on the header. */
  sendHeaderOnly(opcode: number, length: number): void {
    this.socket.write(Buffer.concat([frameHeader(opcode, length), randomBytes(4)]));
  }

  /** The next data frame (pings answered, pongs skipped), or null once the server closed. */
  async nextFrame(timeoutMs = 2000): Promise<RawFrame | null> {
    const queued = this.#frames.shift();
    if (queued !== undefined) return queued;
    if (this.#ended) return null;
    return await new Promise<RawFrame | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const frame = parseFrame(this.#buffer);
      if (frame === null) return;
      this.#buffer = this.#buffer.subarray(frame.size);
      if (frame.opcode === OPCODE.ping) this.sendFrame(OPCODE.pong, frame.payload);
      else if (frame.opcode === OPCODE.close) {
        this.#close ??= {
          code: frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null,
          reason: frame.payload.subarray(2).toString('utf8'),
        };
        this.#end();
      } else if (frame.opcode !== OPCODE.pong) this.#deliver({ opcode: frame.opcode, payload: frame.payload });
    }
  }

  #deliver(frame: RawFrame | null): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(frame);
    else if (frame !== null) this.#frames.push(frame);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#resolveClosed(this.#close ?? { code: null, reason: '' });
    while (this.#waiters.length > 0) this.#deliver(null);
    this.socket.destroy();
  }
}

function frameHeader(opcode: number, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, 0x80 | length]);
  if (length < 65_536) {
    const header = Buffer.from([0x80 | opcode, 0x80 | 126, 0, 0]);
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

/** One unmasked server frame at the start of the buffer, or null when it has not fully arrived. */
function parseFrame(buffer: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (buffer.length < 2) return null;
  const opcode = (buffer[0] as number) & 0x0f;
  let length = (buffer[1] as number) & 0x7f;
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
  if (buffer.length < offset + length) return null;
  return { opcode, payload: Buffer.from(buffer.subarray(offset, offset + length)), size: offset + length };
}
