import { WebSocket } from 'ws';
import { until } from './until.ts';

/** A DDP frame as the node sent it; `{ msg: '<not json>' }` stands for a frame that was not JSON. */
export type DdpFrame = Record<string, unknown>;

/** A raw DDP websocket (for what simpleddp and ddp.js do not expose: pings, garbage, close codes). */
export interface RawDdp {
  ws: WebSocket;
  /** Every frame received and not yet taken, in order. */
  frames: DdpFrame[];
  /** Sends a frame: a string as it is, anything else as its JSON. */
  send(frame: unknown): void;
  /** Removes and answers the first frame that matches, waiting for it. */
  take(match: (frame: DdpFrame) => boolean, what: string, timeoutMs?: number): Promise<DdpFrame>;
  /** Removes and answers the first frame of the kind `msg`, waiting for it. */
  next(msg: string): Promise<DdpFrame>;
  /** Sends `connect` and waits for `connected`. */
  connect(): Promise<void>;
  /** Calls a method and answers its `result` frame. */
  call(method: string, ...params: unknown[]): Promise<DdpFrame>;
  /** Pings and waits for the pong: every frame sent before has been handled. */
  ping(): Promise<void>;
  /** The close code, or null while open. */
  closed(): number | null;
}

/**
 * Opens a raw DDP websocket that records every frame (and the close code) and never throws on what it receives:
 * a test of hostile input must see what the node answers, not fail in the client.
 */
export async function rawDdp(url: string): Promise<RawDdp> {
  const ws = new WebSocket(url);
  const frames: DdpFrame[] = [];
  let closed: number | null = null;
  ws.on('message', (data) => {
    // A frame that is not JSON is itself something the test asserts on (it must never come), so it is recorded.
    try {
      frames.push(JSON.parse(data.toString()) as DdpFrame);
    } catch {
      frames.push({ msg: '<not json>', text: data.toString() });
    }
  });
  ws.on('close', (code) => {
    closed = code;
  });
  // Errors after the open end in a close, which `closed()` reports; without a listener they would throw.
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const take = (match: (frame: DdpFrame) => boolean, what: string, timeoutMs?: number) =>
    until(
      what,
      () => {
        const i = frames.findIndex(match);
        return i === -1 ? undefined : (frames.splice(i, 1)[0] as DdpFrame);
      },
      timeoutMs,
    );
  const send = (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  let calls = 0;
  return {
    ws,
    frames,
    send,
    take,
    next: (msg) => take((frame) => frame.msg === msg, msg),
    connect: async () => {
      send({ msg: 'connect', version: '1', support: ['1'] });
      await take((frame) => frame.msg === 'connected', 'connected');
    },
    call: (method, ...params) => {
      const id = `m${++calls}`;
      send({ msg: 'method', id, method, params });
      return take((frame) => frame.msg === 'result' && frame.id === id, `result of ${method}`);
    },
    ping: async () => {
      const id = `p${Date.now()}${Math.random()}`;
      send({ msg: 'ping', id });
      await take((frame) => frame.msg === 'pong' && frame.id === id, 'pong');
    },
    closed: () => closed,
  };
}
