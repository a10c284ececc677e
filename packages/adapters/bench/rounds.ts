/** Interleaved timing for bench:adapters: every side makes the same calls round by round, so all see the same machine. */

export type Op = () => Promise<unknown>;

/** One goal with this run's verdict (the same shape as the apps' bench goals; packages may not import apps). */
export interface Goal {
  figure: string;
  value: number;
  op: '<=' | '>=';
  target: number;
  met: boolean;
}

export function goalAtMost(figure: string, value: number, target: number): Goal {
  return { figure, value, op: '<=', target, met: value <= target };
}

export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
}

export function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((sum, x) => sum + Math.log(x), 0) / xs.length);
}

/**
 * Median over `rounds` rounds of the time per call in microseconds, for each side: a round makes `count` calls on
 * each side in turn, and the sides take turns going first.
 */
export async function timeInterleaved<Side extends string>(
  sides: Record<Side, Op>,
  options: { count: number; rounds: number },
): Promise<Record<Side, number>> {
  const names = Object.keys(sides) as Side[];
  const times = new Map<Side, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round += 1) {
    const first = round % names.length;
    for (const side of [...names.slice(first), ...names.slice(0, first)]) {
      const op = sides[side];
      const start = performance.now();
      for (let i = 0; i < options.count; i += 1) await op();
      times.get(side)?.push(((performance.now() - start) * 1000) / options.count);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(times.get(name) ?? [])])) as Record<Side, number>;
}
