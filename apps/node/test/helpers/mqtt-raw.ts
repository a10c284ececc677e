import { createConnection, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

/**
 * An MQTT client at the byte level (mqtt-packet): sends exactly the packets a test writes (duplicates, pipelined
 * batches in one TCP write, packets mqtt.js would never send) and records every packet the broker answers.
 */
export class RawMqtt {
  readonly packets: Packet[] = [];
  readonly closed: Promise<void>;
  #waiters: { match: (packet: Packet) => boolean; resolve: (packet: Packet) => void }[] = [];

  private constructor(
    readonly socket: Socket,
    protocolVersion: number,
  ) {
    const parser = mqttPacket.parser({ protocolVersion });
    parser.on('packet', (packet: Packet) => {
      this.packets.push(packet);
      this.#waiters = this.#waiters.filter((waiter) => {
        if (!waiter.match(packet)) return true;
        waiter.resolve(packet);
        return false;
      });
    });
    parser.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Opens a TCP connection (no CONNECT sent yet), from another loopback address when given (127.0.0.2 …). */
  static async open(port: number, protocolVersion = 4, localAddress?: string): Promise<RawMqtt> {
    const socket = createConnection({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawMqtt(socket, protocolVersion);
  }

  /** Opens a connection and logs in (CONNECT, waits for a CONNACK 0). */
  static async connect(port: number, options: { clientId?: string; username?: string; password?: string } = {}): Promise<RawMqtt> {
    const raw = await RawMqtt.open(port);
    raw.send(connectPacket(options));
    const connack = await raw.next((p) => p.cmd === 'connack');
    if ((connack as { returnCode?: number }).returnCode !== 0) throw new Error(`CONNACK ${JSON.stringify(connack)}`);
    return raw;
  }

  /** Writes the packets in ONE TCP write. */
  send(...packets: Packet[]): void {
    this.socket.write(Buffer.concat(packets.map((packet) => mqttPacket.generate(packet))));
  }

  /** The next packet (received already or to come) that matches. */
  next(match: (packet: Packet) => boolean, timeoutMs = 10_000): Promise<Packet> {
    const seen = this.packets.find(match);
    if (seen) {
      this.packets.splice(this.packets.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for an MQTT packet')), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (packet) => {
          clearTimeout(timer);
          this.packets.splice(this.packets.indexOf(packet), 1);
          resolve(packet);
        },
      });
    });
  }

  end(): void {
    this.socket.destroy();
  }
}

export function connectPacket(options: { clientId?: string; username?: string; password?: string; clean?: boolean } = {}): Packet {
  return {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: options.clean ?? true,
    clientId: options.clientId ?? `raw-${Math.random().toString(36).slice(2)}`,
    keepalive: 60,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: Buffer.from(options.password) }),
  } as Packet;
}

export function subscribePacket(messageId: number, filters: { topic: string; qos: 0 | 1 | 2 }[]): Packet {
  return { cmd: 'subscribe', messageId, subscriptions: filters } as Packet;
}

export function publishPacket(
  topic: string,
  payload: Buffer | string,
  options: { qos?: 0 | 1 | 2; messageId?: number; dup?: boolean; retain?: boolean } = {},
): Packet {
  return {
    cmd: 'publish',
    topic,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    qos: options.qos ?? 0,
    dup: options.dup ?? false,
    retain: options.retain ?? false,
    ...(options.messageId === undefined ? {} : { messageId: options.messageId }),
  } as Packet;
}
