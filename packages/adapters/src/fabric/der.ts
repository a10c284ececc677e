/**
 * The little DER (ASN.1) the adapter needs: reading a certificate's issuer and subject (for account ids) and writing
 * a block header (whose SHA-256 is Fabric's block hash). Not a general ASN.1 library.
 */

/** DER lengths above this many bytes (4 GiB) are not something we read. */
const DER_LENGTH_BYTES_MAX = 4;

export const DER_TAG = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8: 0x0c,
  sequence: 0x30,
  set: 0x31,
} as const;

/** One DER element: its tag, where its header starts, where its content starts and where it ends. */
export interface Tlv {
  tag: number;
  offset: number;
  start: number;
  end: number;
}

/** Reads the element at `offset`; throws on truncated or oversized input. */
export function readTlv(der: Uint8Array, offset: number): Tlv {
  if (offset + 2 > der.length) throw new RangeError('truncated DER');
  const tag = der[offset] as number;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > DER_LENGTH_BYTES_MAX) throw new RangeError('unsupported DER length');
    if (start + bytes > der.length) throw new RangeError('truncated DER');
    length = 0;
    for (let i = 0; i < bytes; i += 1) length = length * 256 + (der[start + i] as number);
    start += bytes;
  }
  const end = start + length;
  if (end > der.length) throw new RangeError('truncated DER');
  return { tag, offset, start, end };
}

/** The issuer and subject Name fields of a DER X.509 certificate, each with its tag and length. */
export function certificateNames(der: Uint8Array): { issuer: Uint8Array; subject: Uint8Array } {
  const certificate = readTlv(der, 0);
  const tbs = readTlv(der, certificate.start);
  let field = readTlv(der, tbs.start);
  if (field.tag === 0xa0) field = readTlv(der, field.end); // [0] EXPLICIT version
  const signature = readTlv(der, field.end); // field is the serial number
  const issuer = readTlv(der, signature.end);
  const validity = readTlv(der, issuer.end);
  const subject = readTlv(der, validity.end);
  if (issuer.tag !== DER_TAG.sequence || subject.tag !== DER_TAG.sequence) throw new RangeError('issuer or subject is not a Name');
  return { issuer: der.subarray(issuer.offset, issuer.end), subject: der.subarray(subject.offset, subject.end) };
}

function lengthBytes(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [0x80 | bytes.length, ...bytes];
}

/** One element from its tag and content. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  return Buffer.concat([Uint8Array.from([tag, ...lengthBytes(body.length)]), body]);
}

export const derSequence = (...items: Uint8Array[]) => tlv(DER_TAG.sequence, ...items);
export const derOctetString = (bytes: Uint8Array) => tlv(DER_TAG.octetString, bytes);

/** A non-negative INTEGER in its minimal two's-complement form (0 → 02 01 00). */
export function derInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('only non-negative integers');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Uint8Array.of(0), bytes]);
  return tlv(DER_TAG.integer, bytes);
}

/** The DER bytes inside the first PEM block with this label (CERTIFICATE, PRIVATE KEY, …), or undefined. */
export function pemBody(pem: string, label: string): Uint8Array | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  return match ? Buffer.from((match[1] as string).replace(/\s+/g, ''), 'base64') : undefined;
}

/** PEM text for DER bytes. */
export function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
