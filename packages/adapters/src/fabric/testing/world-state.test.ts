import { describe, expect, it } from 'vitest';
import { StateLock } from './state-lock.ts';
import { compareKeys, WorldState } from './world-state.ts';

const bytes = (text: string) => Buffer.from(text);

describe('the world state', () => {
  it('orders keys by UTF-8 bytes, as LevelDB does, not by UTF-16 units', () => {
    // U+FFFF sorts after U+10FFFF's surrogate pair in UTF-16, before it in UTF-8.
    expect('\uffff' < '\u{10ffff}').toBe(false);
    expect(compareKeys('\uffff', '\u{10ffff}')).toBe(-1);
    const keys = ['b', '\u0000asset\u0000z\u0000', 'a', '\u{10ffff}', '\uffff', 'ab'];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  });

  it('answers ranges [start, end), composite-key prefixes included, with a limit', () => {
    const state = new WorldState();
    const version = { blockNum: 1, txNum: 0 };
    for (const key of ['car1', 'car2', 'car3', 'dog', '\u0000owner\u0000alice\u0000car1\u0000', '\u0000owner\u0000bob\u0000']) {
      state.put('cc', key, bytes(key), version);
    }
    const keys = (start: string, end: string, limit = 100) => state.range('cc', start, end, limit).map(([key]) => key);
    expect(keys('car', 'cas')).toEqual(['car1', 'car2', 'car3']);
    expect(keys('car2', '')).toEqual(['car2', 'car3', 'dog']);
    expect(keys('\u0001', '')).toEqual(['car1', 'car2', 'car3', 'dog']);
    expect(keys('\u0000owner\u0000alice\u0000', '\u0000owner\u0000alice\u0000\u{10ffff}')).toEqual([
      '\u0000owner\u0000alice\u0000car1\u0000',
    ]);
    expect(keys('car', '', 2)).toEqual(['car1', 'car2']);
    state.delete('cc', 'car2');
    expect(keys('car', 'cas')).toEqual(['car1', 'car3']);
    expect(state.get('cc', 'car2')).toBeUndefined();
    expect(state.range('other', '', '', 10)).toEqual([]);
  });
});

describe('the state lock', () => {
  it('lets a commit wait for running simulations, and queues new simulations behind a waiting commit', async () => {
    const lock = new StateLock();
    const order: string[] = [];
    let finishSimulation: () => void = () => {};
    const simulation = lock.shared(async () => {
      order.push('simulation 1 starts');
      await new Promise<void>((resolve) => {
        finishSimulation = resolve;
      });
      order.push('simulation 1 ends');
    });
    await Promise.resolve();
    const commit = lock.exclusive(() => order.push('commit'));
    const later = lock.shared(async () => {
      order.push('simulation 2');
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual(['simulation 1 starts']);
    finishSimulation();
    await Promise.all([simulation, commit, later]);
    expect(order).toEqual(['simulation 1 starts', 'simulation 1 ends', 'commit', 'simulation 2']);
  });
});
