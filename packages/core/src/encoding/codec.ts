import { fromUtf8, utf8 } from '../bytes.ts';

/**
 * The canonical binary codec: every value has exactly one encoding, so the same
 * transaction or block gives the same bytes (and hash) on every machine.
 * Integers are unsigned LEB128 with no redundant trailing bytes; byte strings and
 * UTF-8 strings carry a length prefix; booleans are 0 or 1; options carry a 0/1 tag.
 */

/** Thrown by Reader on bytes that are not a canonical encoding. */
export class CodecError extends Error {
  override name = 'CodecError';
}

const MAX_VARINT_BYTES = 37; // enough for 2^256 - 1

/** Appends canonical values into a growable buffer. */
export class Writer {
  private buf = new Uint8Array(256);
  private pos = 0;

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new CodecError(`not a byte (0..255): ${value}`);
    this.ensure(1);
    this.buf[this.pos++] = value & 0xff;
    return this;
  }

  bool(value: boolean): this {
    return this.u8(value ? 1 : 0);
  }

  /** A non-negative safe integer (heights, nonces, times, counts). */
  uint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new CodecError(`not an unsigned safe integer: ${value}`);
    this.ensure(8);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** A non-negative bigint below 2^256 (amounts). */
  big(value: bigint): this {
    if (value < 0n || value >= 1n << 256n) throw new CodecError('amount out of range 0..2^256-1');
    this.ensure(MAX_VARINT_BYTES);
    let v = value;
    while (v >= 0x80n) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  /** Bytes of a length both sides know; no prefix. */
  fixed(bytes: Uint8Array, length: number): this {
    if (bytes.length !== length) throw new CodecError(`expected ${length} bytes, got ${bytes.length}`);
    this.ensure(length);
    this.buf.set(bytes, this.pos);
    this.pos += length;
    return this;
  }

  bytes(bytes: Uint8Array): this {
    this.uint(bytes.length);
    return this.fixed(bytes, bytes.length);
  }

  string(text: string): this {
    if (/\p{Cs}/u.test(text)) throw new CodecError('a string with a lone UTF-16 surrogate has no UTF-8 encoding');
    return this.bytes(utf8(text));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads canonical values, rejecting anything with a second possible encoding. */
export class Reader {
  /** Where the next read starts (for callers that slice the input). */
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new CodecError('unexpected end of input');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new CodecError(`boolean must be 0 or 1, got ${v}`);
    return v === 1;
  }

  uint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0) throw new CodecError('non-minimal integer encoding');
        if (!Number.isSafeInteger(result)) throw new CodecError('integer above 2^53-1');
        return result;
      }
      scale *= 0x80;
    }
    throw new CodecError('integer above 2^53-1');
  }

  big(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0) throw new CodecError('non-minimal integer encoding');
        if (result >= 1n << 256n) throw new CodecError('amount above 2^256-1');
        return result;
      }
      shift += 7n;
    }
    throw new CodecError('amount above 2^256-1');
  }

  fixed(length: number): Uint8Array {
    this.need(length);
    const out = this.buf.slice(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  bytes(maxLength: number): Uint8Array {
    const length = this.uint();
    if (length > maxLength) throw new CodecError(`byte string of ${length} exceeds the limit of ${maxLength}`);
    return this.fixed(length);
  }

  string(maxBytes: number): string {
    const raw = this.bytes(maxBytes);
    try {
      return fromUtf8(raw);
    } catch {
      throw new CodecError('string is not valid UTF-8');
    }
  }

  /** Reads an array count, bounded so garbage cannot ask for huge allocations. */
  count(max: number): number {
    const n = this.uint();
    if (n > max) throw new CodecError(`list of ${n} exceeds the limit of ${max}`);
    return n;
  }

  /** Throws unless every byte was consumed (one value, one encoding). */
  end(): void {
    if (this.pos !== this.buf.length) throw new CodecError(`${this.buf.length - this.pos} trailing bytes`);
  }
}
