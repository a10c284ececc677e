/**
 * The simulator's only source of randomness: sfc32 (Chris Doty-Humphrey's small fast counter generator, 32-bit words),
 * seeded through splitmix32 so that neighbouring seeds give unrelated streams. Integer arithmetic only (Math.imul and
 * 32-bit shifts), so a seed gives the same numbers on every machine and every run.
 */

/** splitmix32: spreads one 32-bit seed over the four words sfc32 starts from. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** A string's 32-bit FNV-1a hash: names a substream (`fork('network')`). */
function labelHash(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i += 1) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A seeded sfc32 stream. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const [state, word] = splitmix32(s);
      s = state;
      words.push(word);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    // The first outputs of a fresh sfc32 are weakly mixed: the reference implementation discards a dozen.
    for (let i = 0; i < 12; i += 1) this.next();
  }

  /** The next 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A number in [0, 1). */
  float(): number {
    return this.next() / 4_294_967_296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (max < min) throw new RangeError(`an empty range [${min}, ${max}]`);
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** An independent stream named by `label`: draws from it never shift this stream's numbers. */
  fork(label: string): Prng {
    return new Prng((this.next() ^ labelHash(label)) | 0);
  }

  /** `length` random bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const word = this.next();
      for (let k = 0; k < 4 && i + k < length; k += 1) out[i + k] = (word >>> (8 * k)) & 0xff;
    }
    return out;
  }
}
