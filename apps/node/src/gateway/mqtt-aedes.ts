import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Client } from 'aedes';
import { mqttFilterToHub } from './mqtt-topics.ts';

/**
 * What the gateway changes about aedes 1.2.0's handling of packets, before aedes sees them. aedes offers no hook
 * there, so this reaches into its client's `_parser` (an mqtt-packet parser); `attachPacketHooks` fails loudly if
 * a new aedes no longer has one, and the hardening tests cover each change:
 *
 * - A packet whose declared length is over the bound closes the connection as soon as its header is read (aedes
 *   would buffer up to MQTT's 256 MB for it).
 * - SUBSCRIBE asks for QoS 0 whatever the client asked: aedes answers the requested QoS in the SUBACK even when
 *   authorizeSubscribe grants less, and the gateway delivers QoS 0 (at most once, through the hub).
 * - A malformed filter (`a/#/b`, `a+`, empty, too long, NUL, too many levels) is replaced by a marker filter that
 *   authorizeSubscribe refuses, so the client gets SUBACK 0x80 for it instead of a closed connection (aedes
 *   validates filters itself and closes on the first bad one). UNSUBSCRIBE of one is made harmless the same way.
 * - PUBREL is reported, so the gateway forgets the QoS 2 packet id it released (exactly once, see mqtt.ts).
 */

/** The packet fields the hooks read or rewrite. */
interface HookedPacket {
  cmd: string;
  messageId?: number;
  subscriptions?: { topic: string; qos: number }[];
  unsubscriptions?: string[];
}

interface PacketParser extends EventEmitter {
  parse(buf: Buffer): number;
  /** The packet being read: its declared remaining length once the header is in (-1 before). */
  packet: { length: number };
}

export interface PacketHooks {
  /** The largest packet (remaining length) a client may send. */
  packetBytesMax: number;
  /** A PUBREL arrived for this packet id. */
  onPubrel: (messageId: number) => void;
  /** A hook threw or a packet is too large: the connection is closed, and this says why. */
  onRefused: (reason: string) => void;
}

/** A filter no client can ask for (random, `$`-prefixed): authorizeSubscribe refuses it, so SUBACK says 0x80. */
export const REFUSED_FILTER_PREFIX = `$gateway-refused-${randomUUID()}`;

/** Installs the hooks on a client aedes just created (before it read a byte). */
export function attachPacketHooks(client: Client, hooks: PacketHooks): void {
  const parser = (client as unknown as { _parser?: PacketParser })._parser;
  if (!parser || typeof parser.prependListener !== 'function' || typeof parser.parse !== 'function')
    throw new Error('aedes no longer exposes its packet parser (client._parser): the MQTT gateway needs updating for this aedes version.');
  const refuse = (reason: string) => {
    hooks.onRefused(reason);
    client.conn.destroy();
  };
  const parse = parser.parse.bind(parser);
  parser.parse = (buf: Buffer) => {
    const left = parse(buf);
    // The packet in progress: its declared length, or what is buffered of it (a header still being read).
    if (parser.packet.length > hooks.packetBytesMax || left > hooks.packetBytesMax + 5) {
      refuse(`a packet of ${Math.max(parser.packet.length, left)} bytes (the limit is ${hooks.packetBytesMax})`);
      return 0;
    }
    return left;
  };
  parser.prependListener('packet', (packet: HookedPacket) => {
    try {
      rewrite(packet, hooks);
    } catch (error) {
      refuse(`a packet hook failed: ${(error as Error).stack ?? error}`);
    }
  });
}

function rewrite(packet: HookedPacket, hooks: PacketHooks): void {
  if (packet.cmd === 'subscribe' && packet.subscriptions) {
    packet.subscriptions.forEach((sub, i) => {
      sub.qos = 0;
      // Unique per position, so aedes' de-duplication by filter keeps one SUBACK code per refused filter.
      if (typeof sub.topic !== 'string' || mqttFilterToHub(sub.topic) === null) sub.topic = `${REFUSED_FILTER_PREFIX}/${i}`;
    });
  } else if (packet.cmd === 'unsubscribe' && packet.unsubscriptions) {
    packet.unsubscriptions = packet.unsubscriptions.map((filter, i) =>
      typeof filter === 'string' && mqttFilterToHub(filter) !== null ? filter : `${REFUSED_FILTER_PREFIX}/${i}`,
    );
  } else if (packet.cmd === 'pubrel' && packet.messageId !== undefined) {
    hooks.onPubrel(packet.messageId);
  }
}

/**
 * CONNACK of MQTT 5 with reason code 0x84 "Unsupported Protocol Version" (fixed header 0x20, remaining length 3:
 * acknowledge flags 0, reason code 0x84, properties length 0). An MQTT 5 client cannot read the 3.1.1 CONNACK
 * aedes would send (return code 1 lacks the properties MQTT 5 expects), so it is answered in its own version.
 */
export const CONNACK_V5_UNSUPPORTED_VERSION = Buffer.from([0x20, 0x03, 0x00, 0x84, 0x00]);
