import { eventPosition, type OcapEvent, type StreamCheckpoint } from '@arc/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamReader } from '../conformance/reader.ts';
import { createEventStream, type StreamHeader, type StreamSource } from './event-stream.ts';

/**
 * A scripted chain for the stream's algorithm: blocks with ids, forks by replacing the tip. The adapters'
 * own tests run the same stream against real chains (anvil, the regtest chain, our ledger, the mock).
 */
class ScriptedChain implements StreamSource {
  blocks: { header: StreamHeader; events: number }[] = [{ header: { height: 0, hash: 'g', parentHash: '' }, events: 0 }];
  #nextId = 0;

  mine(events: number) {
    const parent = this.blocks[this.blocks.length - 1] as { header: StreamHeader };
    const height = parent.header.height + 1;
    this.#nextId += 1;
    this.blocks.push({ header: { height, hash: `b${height}-${this.#nextId}`, parentHash: parent.header.hash }, events });
  }

  /** Replaces the newest `depth` blocks by a branch at least as long (as real chains do: the heavier branch wins). */
  reorg(depth: number, events: number[]) {
    const removed = this.blocks.splice(Math.max(1, this.blocks.length - depth)).length;
    const branch = [...events, ...Array<number>(Math.max(0, removed - events.length)).fill(0)];
    for (const count of branch) this.mine(count);
  }

  async headHeight() {
    return this.blocks.length - 1;
  }

  async headerAt(height: number) {
    return this.blocks[height]?.header ?? null;
  }

  async eventsOf(header: StreamHeader): Promise<OcapEvent[]> {
    const block = this.blocks[header.height];
    if (!block || block.header.hash !== header.hash) return [];
    return Array.from({ length: block.events }, (_, i) => ({
      position: eventPosition(header.height, i),
      kind: 'transfer' as const,
      blockHeight: header.height,
      blockHash: header.hash,
      txHash: `${header.hash}/${i}`,
      from: 'a',
      to: 'b',
      amount: BigInt(i + 1),
      token: null,
      removed: false,
    }));
  }

  /** The txHashes a consumer should hold once it has seen everything up to `height`. */
  async canonicalTxs(upTo: number) {
    const out: string[] = [];
    for (const block of this.blocks.slice(1, upTo + 1)) for (const e of await this.eventsOf(block.header)) out.push(e.txHash);
    return out;
  }
}

/** What a consumer holds after applying adds and removals in order. */
function apply(held: string[], events: OcapEvent[]) {
  for (const event of events) {
    if (event.removed) {
      expect(held[held.length - 1], 'a removal undoes the newest event held').toBe(event.txHash);
      held.pop();
    } else {
      expect(held.includes(event.txHash), `duplicate ${event.txHash}`).toBe(false);
      held.push(event.txHash);
    }
  }
}

async function drain(reader: StreamReader, max: number) {
  const out: OcapEvent[] = [];
  for (let i = 0; i < max; i += 1) {
    const event = await reader.next(30);
    if (!event) break;
    out.push(event);
  }
  return out;
}

describe('the shared event stream', () => {
  it('delivers every event once, in order, and waits for confirmations', async () => {
    const chain = new ScriptedChain();
    for (const n of [2, 0, 3, 1]) chain.mine(n);
    const reader = new StreamReader(createEventStream(chain, { fromHeight: 1, confirmations: 2, pollMs: 5 }));
    const events = await drain(reader, 100);
    // Block 4 has one confirmation only.
    expect(events.map((e) => e.txHash)).toEqual(await chain.canonicalTxs(3));
    chain.mine(0);
    expect((await drain(reader, 100)).map((e) => e.txHash)).toEqual([`${chain.blocks[4]?.header.hash}/0`]);
    reader.close();
  });

  it('reports orphaned events as removals, newest first, then the new branch', async () => {
    const chain = new ScriptedChain();
    for (const n of [1, 2, 1]) chain.mine(n);
    const reader = new StreamReader(createEventStream(chain, { fromHeight: 1, pollMs: 5 }));
    const held: string[] = [];
    apply(held, await drain(reader, 100));
    chain.reorg(2, [1, 0, 2]);
    const after = await drain(reader, 100);
    expect(after.filter((e) => e.removed).map((e) => e.blockHeight)).toEqual([3, 2, 2]);
    apply(held, after);
    expect(held).toEqual(await chain.canonicalTxs(5));
    reader.close();
  });

  it('refuses a reorg deeper than it remembers and a checkpoint it did not make', async () => {
    expect(() => createEventStream(new ScriptedChain(), { checkpoint: { v: 9 } as unknown as StreamCheckpoint })).toThrow(/checkpoint/i);
    expect(() => createEventStream(new ScriptedChain(), { confirmations: 0 })).toThrow(/confirmations/);
  });

  it('resumes from any checkpoint, through reorgs, with no gap and no duplicate (property)', async () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant('mine' as const), events: fc.integer({ min: 0, max: 3 }) }),
      fc.record({
        op: fc.constant('reorg' as const),
        depth: fc.integer({ min: 1, max: 4 }),
        events: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
      }),
      fc.record({ op: fc.constant('read' as const), count: fc.integer({ min: 1, max: 6 }) }),
      fc.constant({ op: 'resume' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 3 }), async (steps, confirmations) => {
        const chain = new ScriptedChain();
        chain.mine(1);
        let reader = new StreamReader(createEventStream(chain, { fromHeight: 1, confirmations, pollMs: 1 }));
        const held: string[] = [];
        try {
          for (const s of steps) {
            if (s.op === 'mine') chain.mine(s.events);
            else if (s.op === 'reorg') chain.reorg(s.depth, s.events);
            else if (s.op === 'read') {
              const events: OcapEvent[] = [];
              for (let i = 0; i < s.count; i += 1) {
                const event = await reader.next(15);
                if (!event) break;
                events.push(event);
              }
              apply(held, events);
            } else {
              const checkpoint = JSON.parse(JSON.stringify(reader.stream.checkpoint())) as StreamCheckpoint;
              reader.close();
              reader = new StreamReader(createEventStream(chain, { checkpoint, confirmations, pollMs: 1 }));
            }
          }
          apply(held, await drain(reader, 1000));
          const confirmedHeight = (await chain.headHeight()) - confirmations + 1;
          expect(held).toEqual(await chain.canonicalTxs(confirmedHeight));
        } finally {
          reader.close();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
