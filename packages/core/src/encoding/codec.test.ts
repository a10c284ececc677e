import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, utf8 } from '../bytes.ts';
import { CodecError, Reader, Writer } from './codec.ts';

const MAX_AMOUNT = (1n << 256n) - 1n;
const RUNS = { numRuns: 300 };

/** One primitive: how to generate a value, write it and read it back with the same schema. */
interface Primitive<T> {
  arb: fc.Arbitrary<T>;
  write: (w: Writer, value: T) => void;
  read: (r: Reader, value: T) => T;
}

const primitives = {
  u8: { arb: fc.integer({ min: 0, max: 255 }), write: (w, v) => w.u8(v), read: (r) => r.u8() } as Primitive<number>,
  bool: { arb: fc.boolean(), write: (w, v) => w.bool(v), read: (r) => r.bool() } as Primitive<boolean>,
  uint: { arb: fc.maxSafeNat(), write: (w, v) => w.uint(v), read: (r) => r.uint() } as Primitive<number>,
  big: { arb: fc.bigInt({ min: 0n, max: MAX_AMOUNT }), write: (w, v) => w.big(v), read: (r) => r.big() } as Primitive<bigint>,
  fixed: {
    arb: fc.uint8Array({ maxLength: 80 }),
    write: (w, v) => w.fixed(v, v.length),
    read: (r, v) => r.fixed(v.length),
  } as Primitive<Uint8Array>,
  bytes: { arb: fc.uint8Array({ maxLength: 300 }), write: (w, v) => w.bytes(v), read: (r) => r.bytes(300) } as Primitive<Uint8Array>,
  string: {
    arb: fc.string({ unit: 'binary', maxLength: 60 }),
    write: (w, v) => w.string(v),
    read: (r) => r.string(240),
  } as Primitive<string>,
};
type Kind = keyof typeof primitives;
const KINDS = Object.keys(primitives) as Kind[];

/** A value of any primitive kind, for sequences of mixed fields. */
const fieldArb = fc.oneof(...KINDS.map((kind) => (primitives[kind].arb as fc.Arbitrary<unknown>).map((value) => ({ kind, value }))));
type Field = { kind: Kind; value: unknown };

function writeFields(fields: Field[]): Uint8Array {
  const w = new Writer();
  for (const { kind, value } of fields) (primitives[kind] as Primitive<unknown>).write(w, value);
  return w.finish();
}

function readFields(bytes: Uint8Array, fields: Field[]): unknown[] {
  const r = new Reader(bytes);
  const out = fields.map(({ kind, value }) => (primitives[kind] as Primitive<unknown>).read(r, value));
  r.end();
  return out;
}

function encodeUint(value: number): string {
  return toHex(new Writer().uint(value).finish());
}

function read<T>(hex: string, fn: (r: Reader) => T): T {
  const r = new Reader(fromHex(hex));
  const value = fn(r);
  r.end();
  return value;
}

/** Runs `fn` and returns what it threw (undefined when it returned). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('codec round trips', () => {
  it.each(KINDS)('reads back every %s it writes, consuming exactly its bytes', (kind) => {
    const p = primitives[kind] as Primitive<unknown>;
    fc.assert(
      fc.property(p.arb, (value) => {
        const w = new Writer();
        p.write(w, value);
        const r = new Reader(w.finish());
        expect(p.read(r, value)).toEqual(value);
        r.end();
      }),
      RUNS,
    );
  });

  it('reads back any sequence of mixed fields, and the encoding is the concatenation of each field', () => {
    fc.assert(
      fc.property(fc.array(fieldArb, { maxLength: 12 }), (fields) => {
        const bytes = writeFields(fields);
        expect(readFields(bytes, fields)).toEqual(fields.map((f) => f.value));
        expect(toHex(bytes)).toBe(fields.map((f) => toHex(writeFields([f]))).join(''));
      }),
      RUNS,
    );
  });

  it('grows its buffer past the initial size without losing bytes', () => {
    const payload = Uint8Array.from({ length: 5000 }, (_, i) => i % 251);
    const bytes = new Writer().u8(7).bytes(payload).uint(1).finish();
    const r = new Reader(bytes);
    expect([r.u8(), r.bytes(5000), r.uint()]).toEqual([7, payload, 1]);
  });

  it('encodes unsigned integers as minimal little-endian base-128 (LEB128)', () => {
    expect(encodeUint(0)).toBe('00');
    expect(encodeUint(127)).toBe('7f');
    expect(encodeUint(128)).toBe('8001');
    expect(encodeUint(300)).toBe('ac02');
    expect(encodeUint(Number.MAX_SAFE_INTEGER)).toBe('ffffffffffffff0f');
    expect(toHex(new Writer().big(MAX_AMOUNT).finish())).toBe(`${'ff'.repeat(36)}0f`);
  });

  it('gives a safe integer the same bytes as a uint and as an amount', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(toHex(new Writer().big(BigInt(n)).finish())).toBe(encodeUint(n));
      }),
      RUNS,
    );
  });

  it('prefixes byte strings and strings with their byte length, strings as UTF-8', () => {
    expect(toHex(new Writer().bytes(fromHex('abcd')).finish())).toBe('02abcd');
    expect(toHex(new Writer().string('é€').finish())).toBe(`05${toHex(utf8('é€'))}`);
    expect(toHex(new Writer().bool(true).bool(false).finish())).toBe('0100');
  });
});

describe('codec rejects non-canonical input', () => {
  it('rejects a varint with a redundant trailing zero group, for uints and amounts', () => {
    for (const hex of ['8000', 'ff00', '808000', 'ac8200']) {
      expect(() => read(hex, (r) => r.uint())).toThrow(CodecError);
      expect(() => read(hex, (r) => r.big())).toThrow(CodecError);
    }
  });

  it('rejects every value re-encoded with one extra continuation group', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_AMOUNT >> 7n }), (value) => {
        const canonical = new Writer().big(value).finish();
        const padded = concatBytes(canonical, new Uint8Array([0]));
        padded[canonical.length - 1] = (padded[canonical.length - 1] as number) | 0x80;
        expect(() => read(toHex(padded), (r) => r.big())).toThrow(/non-minimal/);
        if (value <= BigInt(Number.MAX_SAFE_INTEGER >> 7)) expect(() => read(toHex(padded), (r) => r.uint())).toThrow(/non-minimal/);
      }),
      RUNS,
    );
  });

  it('rejects a uint above 2^53-1, however it is spelled', () => {
    expect(() => read('ffffffffffffff10', (r) => r.uint())).toThrow(/2\^53-1/);
    expect(() => read('808080808080808001', (r) => r.uint())).toThrow(CodecError);
    expect(read('ffffffffffffff0f', (r) => r.uint())).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects an amount above 2^256-1, however it is spelled', () => {
    expect(() => read(`${'ff'.repeat(36)}10`, (r) => r.big())).toThrow(/2\^256-1/);
    expect(() => read(`${'80'.repeat(37)}01`, (r) => r.big())).toThrow(CodecError);
    expect(read(`${'ff'.repeat(36)}0f`, (r) => r.big())).toBe(MAX_AMOUNT);
  });

  it('rejects a boolean other than 0 or 1', () => {
    expect(() => read('02', (r) => r.bool())).toThrow(CodecError);
    expect(() => read('ff', (r) => r.bool())).toThrow(CodecError);
  });

  it('rejects trailing bytes after the last field', () => {
    expect(() => read('0100', (r) => r.u8())).toThrow(/1 trailing bytes/);
    fc.assert(
      fc.property(fc.array(fieldArb, { maxLength: 6 }), fc.uint8Array({ minLength: 1, maxLength: 8 }), (fields, extra) => {
        expect(() => readFields(concatBytes(writeFields(fields), extra), fields)).toThrow(CodecError);
      }),
      RUNS,
    );
  });

  it('rejects every truncation of a valid encoding', () => {
    fc.assert(
      fc.property(fc.array(fieldArb, { minLength: 1, maxLength: 6 }), (fields) => {
        const bytes = writeFields(fields);
        for (let cut = 0; cut < bytes.length; cut++) {
          expect(() => readFields(bytes.subarray(0, cut), fields)).toThrow(/unexpected end of input/);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a byte string, string or list longer than the reader allows', () => {
    const four = new Writer().bytes(fromHex('01020304')).finish();
    expect(() => new Reader(four).bytes(3)).toThrow(/exceeds the limit of 3/);
    expect(() => new Reader(new Writer().string('abcd').finish()).string(3)).toThrow(/exceeds the limit of 3/);
    expect(() => new Reader(new Writer().uint(3).finish()).count(2)).toThrow(/list of 3 exceeds the limit of 2/);
    expect(new Reader(four).bytes(4)).toEqual(fromHex('01020304'));
  });

  it('rejects a length prefix that runs past the end of the input before allocating for it', () => {
    const huge = new Writer().uint(Number.MAX_SAFE_INTEGER).finish();
    expect(() => new Reader(huge).bytes(Number.MAX_SAFE_INTEGER)).toThrow(/unexpected end of input/);
  });

  it.each([
    ['a stray continuation byte', '80'],
    ['0xff', 'ff'],
    ['an overlong encoding of "/"', 'c0af'],
    ['an encoded UTF-16 surrogate', 'eda080'],
    ['a truncated 3-byte sequence', 'e282'],
    ['a code point above U+10FFFF', 'f4908080'],
  ])('rejects a string holding invalid UTF-8: %s', (_, hex) => {
    const bytes = new Writer().bytes(fromHex(hex)).finish();
    expect(() => new Reader(bytes).string(16)).toThrow(/not valid UTF-8/);
  });

  it('throws only CodecError on arbitrary bytes, whatever the schema', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fieldArb, { minLength: 1, maxLength: 8 }), (bytes, fields) => {
        const error = thrown(() => readFields(bytes, fields));
        if (error !== undefined) expect(error).toBeInstanceOf(CodecError);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('codec writer refuses values it cannot encode canonically', () => {
  it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the uint %s', (value) => {
    expect(() => new Writer().uint(value)).toThrow(CodecError);
  });

  it('refuses amounts below 0 or above 2^256-1', () => {
    expect(() => new Writer().big(-1n)).toThrow(CodecError);
    expect(() => new Writer().big(1n << 256n)).toThrow(CodecError);
  });

  it('refuses fixed-width bytes of the wrong width', () => {
    expect(() => new Writer().fixed(new Uint8Array(31), 32)).toThrow(/expected 32 bytes, got 31/);
  });

  it.each([-1, 256, 1.5])('refuses a u8 of %s instead of silently wrapping it', (value) => {
    expect(() => new Writer().u8(value)).toThrow(CodecError);
  });

  it('refuses a string with a lone surrogate instead of silently replacing it with U+FFFD', () => {
    expect(() => new Writer().string('a\ud800b')).toThrow(CodecError);
    expect(toHex(new Writer().string('😀').finish())).toBe(`04${toHex(utf8('😀'))}`);
  });
});
