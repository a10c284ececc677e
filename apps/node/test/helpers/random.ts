import { randomInt } from 'node:crypto';

/** A seeded PRNG (mulberry32): the same seed gives the same schedule, so a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `name` in the environment, or a new one; printed either way so a run can be repeated. */
export function testSeed(name: string): number {
  const given = process.env[name];
  const seed = given ? Number.parseInt(given, 10) : randomInt(2 ** 31);
  console.log(`${name}=${seed} (set it to replay this schedule)`);
  return seed;
}

/** An integer in [min, max]. */
export function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
