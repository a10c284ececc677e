import { request } from 'node:http';
import WebSocket from 'ws';
import { until } from './realtime.ts';

/**
 * A Socket.io client spoken by hand over a raw websocket (engine.io v4 text frames): "40" connects the namespace,
 * "42<id>[event, payload]" emits with an ack, the node answers "43<id>[reply]"; "2"/"3" are ping/pong.
 */
export class RawSocketIo {
  readonly frames: string[] = [];
  readonly acks = new Map<number, unknown>();
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = String(data);
      this.frames.push(frame);
      if (frame === '2') ws.send('3'); // the server's ping
      const ack = /^43(\d+)(\[.*)$/s.exec(frame);
      if (ack) this.acks.set(Number(ack[1]), (JSON.parse(ack[2] as string) as unknown[])[0]);
    });
    ws.on('close', () => {
      this.closed = true;
    });
    ws.on('error', () => {
      this.closed = true;
    });
  }

  /** Opens the websocket and connects the main namespace (anonymous unless `auth` is given). */
  static async connect(url: string, auth: Record<string, unknown> = {}): Promise<RawSocketIo> {
    const { host } = new URL(url);
    const raw = new RawSocketIo(new WebSocket(`ws://${host}/socket.io/?EIO=4&transport=websocket`));
    await until(() => raw.frames.some((f) => f.startsWith('0{')) || raw.closed, 10_000, 'the engine.io open packet');
    raw.ws.send(`40${JSON.stringify(auth)}`);
    await until(() => raw.frames.some((f) => f.startsWith('40')) || raw.closed, 10_000, 'the namespace CONNECT');
    return raw;
  }

  /** Sends every frame in one TCP write (corked): the node reads them as one batch. */
  sendBatch(frames: string[]): void {
    const socket = (this.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    socket.cork();
    for (const frame of frames) this.ws.send(frame);
    socket.uncork();
  }

  /** An event frame with ack id `id`. */
  static event(id: number, name: string, payload: unknown): string {
    return `42${id}${JSON.stringify([name, payload])}`;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** One plain HTTP request (no keep-alive); answers the status and body. */
export function httpRequest(
  method: 'GET' | 'POST',
  url: string,
  body?: string | Buffer,
  contentType = 'text/plain;charset=UTF-8',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: 10_000, headers: { 'content-type': contentType } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${method} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** An engine.io long-polling session: its sid after the handshake, and the namespace connected. */
export async function pollingSession(url: string): Promise<string> {
  const handshake = await httpRequest('GET', `${url}/socket.io/?EIO=4&transport=polling`);
  const sid = (JSON.parse(handshake.body.slice(1)) as { sid: string }).sid;
  await httpRequest('POST', `${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, '40');
  await httpRequest('GET', `${url}/socket.io/?EIO=4&transport=polling&sid=${sid}`);
  return sid;
}
