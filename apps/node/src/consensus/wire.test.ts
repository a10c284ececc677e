import { Writer } from '@arc/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, TXS_FRAME_LIMITS, txsFrame } from './wire.ts';

const tx = (n: number, length = 120) => new Uint8Array(length).fill(n);

describe('gossip frames of transactions', () => {
  it('carries several transactions in one frame and gives them back in order', () => {
    const list = [tx(1), tx(2, 300), tx(3, 1)];
    for (const direct of [true, false]) expect(decodeFrame(txsFrame(list, direct))).toEqual({ kind: 'txs', list, direct });
  });

  it('still takes the one-transaction frame that nodes before batching send', () => {
    const bytes = tx(7);
    const frame = decodeFrame(new Uint8Array([2, ...bytes]));
    expect(frame).toEqual({ kind: 'tx', bytes });
  });

  it('drops a frame of transactions that is malformed or past its bounds, without throwing', () => {
    const framed = (write: (w: Writer) => void, flags = 0) => {
      const w = new Writer().u8(4).u8(flags);
      write(w);
      return w.finish();
    };
    const bad = [
      framed((w) => w.uint(0)), // no transaction
      framed((w) => w.uint(1).bytes(new Uint8Array())), // an empty one
      framed((w) => w.uint(2).bytes(tx(1))), // fewer than it says
      framed((w) => w.uint(1).bytes(tx(1)).u8(9)), // bytes after the last
      framed((w) => w.uint(TXS_FRAME_LIMITS.txsMax + 1)), // more than a frame may carry
      framed((w) => w.uint(1).bytes(tx(1)), 2), // a flag it does not know
      new Uint8Array([4]),
    ];
    for (const frame of bad) expect(decodeFrame(frame)).toBeNull();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (body) => {
        const frame = decodeFrame(new Uint8Array([4, ...body]));
        expect(frame === null || (frame.kind === 'txs' && frame.list.every((t) => t.length > 0))).toBe(true);
      }),
    );
  });
});
