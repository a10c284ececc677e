import { isOcapError, type StreamCheckpoint } from '@arc/core';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { describe, expect, it } from 'vitest';
import { StreamReader } from '../conformance/reader.ts';
import type { FabricBlock, FabricTransaction } from './blocks.ts';
import { toOcapError } from './errors.ts';
import { type ChaincodeEventSource, createChaincodeEventStream, EVENT_STREAM_RECONNECTS_MAX } from './events.ts';
import { tokenEventDecoder } from './tokens.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const txId = (height: number, index: number) => `${String(height).padStart(32, '0')}${String(index).padStart(32, '0')}`;
const hashOf = (height: number) => String(height).padStart(64, '0');

/** A channel of `heights` blocks; block h holds `perBlock` transfers (index 0 is another chaincode's transaction). */
function fakeChannel(heights: number, perBlock: number) {
  const blocks: FabricBlock[] = [];
  const events: ChaincodeEvent[] = [];
  for (let height = 0; height < heights; height += 1) {
    const transactions = Array.from(
      { length: perBlock + 1 },
      (_, index) => ({ txId: txId(height, index), index, validation: 'VALID' }) as FabricTransaction,
    );
    blocks.push({ number: height, hash: hashOf(height), previousHash: height ? hashOf(height - 1) : '', dataHash: '', transactions });
    for (let index = 1; index <= perBlock && height > 0; index += 1) {
      events.push({
        blockNumber: BigInt(height),
        transactionId: txId(height, index),
        chaincodeName: 'token',
        eventName: 'Transfer',
        payload: Buffer.from(JSON.stringify({ from: A, to: B, value: String(height * 100 + index) })),
      });
    }
  }
  return { blocks, events };
}

/** The peer's event service: events from a start block, then silence until closed; `breaks` makes an opening fail after n events. */
function fakeSource(channel: ReturnType<typeof fakeChannel>, breaks: (number | 'open')[] = []) {
  const opened: number[] = [];
  const source: ChaincodeEventSource = {
    async open(startBlock) {
      opened.push(startBlock);
      const breakAfter = breaks.shift();
      if (breakAfter === 'open') throw Object.assign(new Error('connect ECONNREFUSED'), { code: grpcStatus.UNAVAILABLE });
      let wake: (() => void) | undefined;
      let closed = false;
      const list = channel.events.filter((e) => Number(e.blockNumber) >= startBlock);
      async function* run() {
        let sent = 0;
        for (const event of list) {
          if (breakAfter !== undefined && sent === breakAfter)
            throw Object.assign(new Error('stream reset'), { code: grpcStatus.UNAVAILABLE });
          sent += 1;
          yield event;
        }
        if (!closed) await new Promise<void>((resolve) => (wake = resolve));
      }
      const iterator = run();
      return {
        [Symbol.asyncIterator]: () => iterator,
        close: () => {
          closed = true;
          wake?.();
        },
        [Symbol.dispose]: () => undefined,
      } as CloseableAsyncIterable<ChaincodeEvent>;
    },
    headHeight: async () => channel.blocks.length - 1,
    block: async (height) => {
      const block = channel.blocks[height];
      if (!block) throw new Error(`no block ${height}`);
      return block;
    },
    toOcapError: (error) => toOcapError(error, { action: 'test' }),
  };
  return { source, opened };
}

const decode = tokenEventDecoder('token', 'transfer');

describe('fabric chaincode event stream', () => {
  it('reopens a broken peer stream where it stood, neither dropping nor repeating an event', async () => {
    const channel = fakeChannel(4, 3);
    const { source, opened } = fakeSource(channel, [4, 'open']);
    const reader = new StreamReader(createChaincodeEventStream(source, decode, { fromHeight: 1, pollMs: 5 }));
    try {
      const events = await reader.take(9, 5_000);
      expect(events.map((e) => e.txHash)).toEqual(channel.events.map((e) => e.transactionId));
      expect(events.map((e) => e.amount)).toEqual([101n, 102n, 103n, 201n, 202n, 203n, 301n, 302n, 303n]);
      // Positions follow the transaction's index in its block, so they match any other reader of the same block.
      expect(events[0]?.position).toBe('000000000001.000001');
      // Broke after 4 events (block 2, first one): reopened at block 2, once refused, then again at block 2.
      expect(opened).toEqual([1, 2, 2]);
    } finally {
      reader.close();
    }
  });

  it(`gives up after ${EVENT_STREAM_RECONNECTS_MAX} failed reconnections in a row with the mapped error`, async () => {
    const { source } = fakeSource(fakeChannel(2, 1), Array(EVENT_STREAM_RECONNECTS_MAX + 1).fill('open'));
    const iterator = createChaincodeEventStream(source, decode, { fromHeight: 1, pollMs: 1 })[Symbol.asyncIterator]();
    const error = await iterator.next().catch((e: unknown) => e);
    expect(isOcapError(error, 'UNAVAILABLE')).toBe(true);
  });

  it('resumes in the middle of a block from a checkpoint and verifies the checkpoint names this channel', async () => {
    const channel = fakeChannel(3, 3);
    const { source, opened } = fakeSource(channel);
    const first = new StreamReader(createChaincodeEventStream(source, decode, { fromHeight: 1, pollMs: 5 }));
    await first.take(2, 5_000);
    const checkpoint = JSON.parse(JSON.stringify(first.stream.checkpoint())) as StreamCheckpoint;
    first.close();
    expect(checkpoint).toMatchObject({ v: 1, height: 1, hash: hashOf(1), position: '000000000001.000002' });
    const second = new StreamReader(createChaincodeEventStream(source, decode, { checkpoint, pollMs: 5 }));
    try {
      expect((await second.take(4, 5_000)).map((e) => e.txHash)).toEqual(channel.events.slice(2).map((e) => e.transactionId));
      expect(opened.at(-1)).toBe(1);
    } finally {
      second.close();
    }
    const moved = { ...checkpoint, hash: hashOf(9), recent: [{ height: 1, hash: hashOf(9), parentHash: hashOf(0), events: [] }] };
    const foreign = createChaincodeEventStream(source, decode, { checkpoint: moved, pollMs: 5 })[Symbol.asyncIterator]();
    expect(isOcapError(await foreign.next().catch((e: unknown) => e), 'CHECKPOINT_INVALID')).toBe(true);
  });

  it('refuses malformed checkpoints at once', () => {
    const source = fakeSource(fakeChannel(2, 1)).source;
    const bad = [
      { v: 2 },
      { v: 1, height: 1, hash: hashOf(1), position: '', recent: [] },
      {
        v: 1,
        height: 1,
        hash: hashOf(1),
        position: '000000000002.000001',
        recent: [{ height: 1, hash: hashOf(1), parentHash: '', events: [] }],
      },
      { v: 1, height: 1e13, hash: '', position: '', recent: [] },
    ];
    for (const checkpoint of bad) {
      expect(() => createChaincodeEventStream(source, decode, { checkpoint: checkpoint as StreamCheckpoint })).toThrow(
        /not made by a Fabric event stream/,
      );
    }
  });

  it('starts after the head when given neither a height nor a checkpoint', async () => {
    const channel = fakeChannel(3, 1);
    const { source, opened } = fakeSource(channel);
    const stream = createChaincodeEventStream(source, decode, { pollMs: 5 });
    const reader = new StreamReader(stream);
    expect(await reader.next(50)).toBeUndefined();
    expect(opened).toEqual([3]);
    expect(stream.checkpoint()).toMatchObject({ height: 2, hash: '', position: '' });
    reader.close();
  });
});
