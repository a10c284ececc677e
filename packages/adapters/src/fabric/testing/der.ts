/**
 * The little ASN.1 DER the development peer needs: enough to write an X.509 certificate, hash a block header the way
 * Fabric does (protoutil.BlockHeaderBytes) and read or rewrite an ECDSA signature. Not a general DER library.
 */

/** A tag, a definite length and the content: one DER element. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  const length = content.length;
  let lengthBytes: number[];
  if (length < 0x80) {
    lengthBytes = [length];
  } else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    lengthBytes = [0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from([tag, ...lengthBytes]), content]);
}

export const sequence = (...parts: Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(parts));
export const set = (...parts: Uint8Array[]): Buffer => tlv(0x31, Buffer.concat(parts));
export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const printableString = (text: string): Buffer => tlv(0x13, Buffer.from(text, 'ascii'));
export const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
/** A BIT STRING with no unused bits (keys, signatures, key usage bytes). */
export const bitString = (bytes: Uint8Array, unusedBits = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
/** `[n] EXPLICIT`: a constructed context-specific element wrapping one element. */
export const explicit = (tagNumber: number, inner: Uint8Array): Buffer => tlv(0xa0 | tagNumber, inner);
/** `[n] IMPLICIT` over a primitive (e.g. the keyIdentifier of an authority key identifier). */
export const implicitPrimitive = (tagNumber: number, content: Uint8Array): Buffer => tlv(0x80 | tagNumber, content);

/** A non-negative INTEGER in the minimal two's-complement form DER requires. */
export function integer(value: bigint | Uint8Array): Buffer {
  let bytes = typeof value === 'bigint' ? bigintToBytes(value) : Buffer.from(value);
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && (bytes[start + 1] as number) < 0x80) start += 1;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if ((bytes[0] as number) >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  const first = arcs[0] ?? 0n;
  const second = arcs[1] ?? 0n;
  const body: number[] = [Number(first * 40n + second)];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [];
    let rest = arc;
    do {
      chunk.unshift(Number(rest & 0x7fn));
      rest >>= 7n;
    } while (rest > 0n);
    for (let i = 0; i < chunk.length - 1; i += 1) chunk[i] = (chunk[i] as number) | 0x80;
    body.push(...chunk);
  }
  return tlv(0x06, Buffer.from(body));
}

/** X.509 Time: UTCTime up to 2049, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5). */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();
  if (year < 2050) return tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'));
  return tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

function bigintToBytes(value: bigint): Buffer {
  if (value < 0n) throw new Error('DER integers here are never negative');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}

/** Reads one element at `offset`: its tag, content and where the next element starts. */
export function readTlv(bytes: Uint8Array, offset = 0): { tag: number; content: Buffer; end: number } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (offset + 2 > buffer.length) throw new Error('DER element truncated');
  const tag = buffer[offset] as number;
  let length = buffer[offset + 1] as number;
  let cursor = offset + 2;
  if (length >= 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || cursor + count > buffer.length) throw new Error('DER length malformed');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (buffer[cursor + i] as number);
    cursor += count;
  }
  if (cursor + length > buffer.length) throw new Error('DER element truncated');
  return { tag, content: buffer.subarray(cursor, cursor + length), end: cursor + length };
}

/** The (r, s) of a DER ECDSA-Sig-Value; throws on anything else. */
export function decodeEcdsaSignature(signature: Uint8Array): { r: bigint; s: bigint } {
  const outer = readTlv(signature);
  if (outer.tag !== 0x30 || outer.end !== signature.length) throw new Error('not a DER ECDSA signature');
  const r = readTlv(outer.content, 0);
  const s = readTlv(outer.content, r.end);
  if (r.tag !== 0x02 || s.tag !== 0x02 || s.end !== outer.content.length) throw new Error('not a DER ECDSA signature');
  return { r: BigInt(`0x${r.content.toString('hex') || '0'}`), s: BigInt(`0x${s.content.toString('hex') || '0'}`) };
}

export function encodeEcdsaSignature(r: bigint, s: bigint): Buffer {
  return sequence(integer(r), integer(s));
}
