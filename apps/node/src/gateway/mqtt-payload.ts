import { parseBoundedJson, stringifyOrNull } from './bounded-json.ts';
import { GatewayError, type RawPayload, type TopicEvent } from './types.ts';

/**
 * MQTT payloads are opaque bytes. The hub carries them unchanged (`TopicEvent.raw`) for byte protocols and gives
 * JSON protocols (Socket.io, DDP) a view of them: the JSON they hold, else their text, else Meteor EJSON's binary
 * form, so nothing an MQTT device sends is refused for its bytes or rounded on its way to another MQTT client.
 */

/** Meteor EJSON's form of binary data (`{ $binary: '<base64>' }`), which DDP clients decode to a Uint8Array. */
export interface BinaryView {
  $binary: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON view of MQTT payload bytes: the parsed JSON when they are UTF-8 JSON within the depth bound and
 * `bytesMax`; else the UTF-8 text as a string (deep or malformed JSON included); else `{ $binary }`. Never throws.
 */
export function decodeMqttPayload(bytes: Uint8Array, bytesMax: number = Number.POSITIVE_INFINITY): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    // Not UTF-8 (the decoder's only failure): binary, which JSON protocols see as EJSON binary.
    if (!(error instanceof TypeError)) throw error;
    return { $binary: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') } satisfies BinaryView;
  }
  try {
    return parseBoundedJson(text, bytesMax);
  } catch (error) {
    // Text that is not JSON, nests too deep or is too large to parse here is still text.
    if (error instanceof GatewayError) return text;
    throw error;
  }
}

/** MQTT payload bytes as the hub's payload (the JSON view) and raw bytes (delivered unchanged to MQTT). */
export function mqttPayloadOf(bytes: Uint8Array, bytesMax: number): { payload: unknown; raw: RawPayload } {
  return { payload: decodeMqttPayload(bytes, bytesMax), raw: { bytes } };
}

/**
 * A hub event as MQTT payload bytes: the bytes an MQTT publisher sent when it came from one (unchanged); else the
 * JSON text of the payload (what a JSON protocol published: a string arrives JSON-quoted, `"hi"`, so a subscriber
 * can always parse what Socket.io and DDP send). A payload that cannot be serialized is sent as `null`.
 */
export function encodeMqttPayload(event: TopicEvent): Buffer {
  // An event from another node may carry its bytes in another shape after serialization; then its JSON view is sent.
  const bytes = event.raw?.bytes;
  if (bytes instanceof Uint8Array) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Buffer.from(stringifyOrNull(event.payload ?? null) ?? 'null');
}
