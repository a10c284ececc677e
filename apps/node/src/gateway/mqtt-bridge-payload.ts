import { parseBoundedJson, stringifyOrNull } from './bounded-json.ts';
import { GatewayError, type TopicEvent } from './types.ts';

/**
 * The bridge's payloads. MQTT payloads are opaque bytes: the bridge carries them into the hub unchanged (`raw`) and
 * out again unchanged, and gives JSON protocols a view of them: the JSON when the bytes are UTF-8 JSON within the
 * size and depth bounds, else the text when they are UTF-8, else `{ $binary: <base64> }` (Meteor EJSON's form).
 * Same rules as the embedded broker's (PROTOCOLS.md, "Messages").
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON view of imported bytes; never throws, whatever the bytes (deep JSON becomes its text). */
export function bridgeImportView(bytes: Uint8Array, bytesMax: number): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return { $binary: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
  }
  try {
    return parseBoundedJson(text, bytesMax);
  } catch (error) {
    // Not JSON, or JSON past the bounds: the text is the view, the bytes travel as they came.
    if (error instanceof GatewayError) return text;
    throw error;
  }
}

/** The bytes an event leaves by: its raw bytes when a byte protocol published it, else its payload's JSON. */
export function bridgeExportBytes(event: TopicEvent): Uint8Array {
  if (event.raw) return event.raw.bytes;
  const json = stringifyOrNull(event.payload ?? null);
  if (json === null) throw new GatewayError('BAD_PAYLOAD', `The payload of ${event.id} has no JSON form; it is not sent out.`);
  return Buffer.from(json);
}
