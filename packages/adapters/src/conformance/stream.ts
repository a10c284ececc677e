import type { OcapEvent, StreamCheckpoint } from '@arc/core';
import { expect } from 'vitest';
import { expectOcapError } from './expect-error.ts';
import type { CheckContext } from './harness.ts';
import { StreamReader } from './reader.ts';
import type { SuiteScope } from './scope.ts';

/** Transfers the mid-block resume check puts into one block (enough for a cut with two or more events on each side). */
const SAME_BLOCK_TRANSFERS = 5;
/** The confirmation depths held exactly: the common off-by-one cases and one deeper. */
const CONFIRMATION_DEPTHS = [1, 2, 3];
/** Blocks mined before a reorg check so that it never reaches genesis, even when it runs alone on a new chain. */
const REORG_DEPTH = 2;
/** How long the first send after a reorg may take to confirm (an adapter resyncs the signer within it). */
const REORG_RESEND_WAIT_MS = 20_000;

/** Level 2: the resumable event stream. Each check makes the blocks it reads, so any one of them can run alone. */
export function streamChecks({ it, h, a, fresh, confirm, pollMs, waitMs }: SuiteScope): void {
  const needEvents = (ctx: CheckContext) => {
    if (a().capabilities().events === false) ctx.skip('events capability is false');
  };
  const needReorgs = (ctx: CheckContext) => {
    needEvents(ctx);
    if (a().capabilities().reorgs === false) ctx.skip('reorgs capability is false');
    if (!h().reorg) throw new Error('the harness must provide `reorg` when capabilities().reorgs is not false');
  };
  const transfersTo = (address: string) => ({ addresses: [address], kinds: ['transfer' as const] });
  const copy = (checkpoint: StreamCheckpoint) => JSON.parse(JSON.stringify(checkpoint)) as StreamCheckpoint;

  /** Takes `count` events, then the checkpoint, then closes the reader (also when the take fails). */
  async function takeThenCheckpoint(reader: StreamReader, count: number) {
    try {
      const events = await reader.take(count, waitMs);
      return { events, checkpoint: copy(reader.stream.checkpoint()) };
    } finally {
      reader.close();
    }
  }

  it('refuses as unsupported when the adapter has no events', async (ctx) => {
    if (a().capabilities().events !== false) ctx.skip('the adapter claims the events capability');
    await expectOcapError(() => a().events({ pollMs }), 'ADAPTER_UNSUPPORTED');
  });

  /** Sends `count` transfers to a fresh receiver, each in its own block; returns the receiver, start height and hashes. */
  async function transfersInto(count: number) {
    const receiver = fresh();
    const fromHeight = (await a().getLatestBlock()).height + 1;
    const hashes: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const sent = await a().transfer(h().funded, { to: receiver.address, amount: h().transferAmount + BigInt(i) });
      await confirm(sent.hash);
      hashes.push(sent.hash);
    }
    return { receiver, fromHeight, hashes };
  }

  it('delivers transfer events in chain order with sortable positions', async (ctx) => {
    needEvents(ctx);
    const { receiver, fromHeight, hashes } = await transfersInto(4);
    const reader = new StreamReader(a().events({ fromHeight, pollMs, filter: transfersTo(receiver.address) }));
    try {
      const events = await reader.take(4, waitMs);
      expect(events.map((e) => e.txHash)).toEqual(hashes);
      events.forEach((event, i) => {
        expect(event).toMatchObject({
          kind: 'transfer',
          to: receiver.address,
          from: h().funded.address,
          amount: h().transferAmount + BigInt(i),
        });
        expect(event.removed).toBe(false);
        expect(event.token).toBeNull();
        expect(event.blockHeight).toBeGreaterThanOrEqual(fromHeight);
      });
      const positions = events.map((e) => e.position);
      expect([...positions].sort()).toEqual(positions);
      expect(new Set(positions).size).toBe(positions.length);
    } finally {
      reader.close();
    }
  });

  /** Reads `total` events from `fromHeight`, cutting after `cut`, and resumes from a checkpoint; checks the join. */
  async function resumeAt(cut: number, total: number, fromHeight: number, filter: ReturnType<typeof transfersTo>, all: OcapEvent[]) {
    const first = new StreamReader(a().events({ fromHeight, pollMs, filter }));
    const { events: head, checkpoint } = await takeThenCheckpoint(first, cut);
    const second = new StreamReader(a().events({ checkpoint, pollMs, filter }));
    try {
      const rest = await second.take(total - cut, waitMs);
      expect(await second.next(pollMs * 6)).toBeUndefined();
      expect([...head, ...rest].map(key), `resuming after event ${cut} of ${total}`).toEqual(all.map(key));
    } finally {
      second.close();
    }
  }

  it('resumes from a checkpoint with no gap and no duplicate', async (ctx) => {
    needEvents(ctx);
    const { receiver, fromHeight, hashes } = await transfersInto(5);
    const filter = transfersTo(receiver.address);
    const full = new StreamReader(a().events({ fromHeight, pollMs, filter }));
    const all = await full.take(5, waitMs).finally(() => full.close());
    expect(all.map((e) => e.txHash)).toEqual(hashes);
    for (const cut of [1, 2, 4]) await resumeAt(cut, 5, fromHeight, filter, all);
  });

  it('resumes in the middle of a block with the rest of that block, in order, none dropped', async (ctx) => {
    needEvents(ctx);
    const receiver = fresh();
    await h().mine(1);
    const fromHeight = (await a().getLatestBlock()).height + 1;
    const sends = [];
    for (let i = 0; i < SAME_BLOCK_TRANSFERS; i += 1) {
      sends.push(await a().transfer(h().funded, { to: receiver.address, amount: h().transferAmount + BigInt(i) }));
    }
    await h().mine(1);
    for (const sent of sends) await a().waitForTransaction(sent.hash, { confirmations: 1, timeoutMs: waitMs });
    const filter = transfersTo(receiver.address);
    const full = new StreamReader(a().events({ fromHeight, pollMs, filter }));
    const all = await full.take(SAME_BLOCK_TRANSFERS, waitMs).finally(() => full.close());
    if (new Set(all.map((e) => e.blockHeight)).size !== 1) ctx.skip('the chain put the transfers sent together into separate blocks');
    for (let cut = 1; cut < SAME_BLOCK_TRANSFERS; cut += 1) await resumeAt(cut, SAME_BLOCK_TRANSFERS, fromHeight, filter, all);
  });

  it('does not re-deliver a block from a checkpoint taken after the stream passed its end', async (ctx) => {
    needEvents(ctx);
    const receiver = fresh();
    const filter = transfersTo(receiver.address);
    const { fromHeight } = await transfersInto(0);
    const sends = await Promise.all(
      [0n, 1n, 2n].map((i) => a().transfer(h().funded, { to: receiver.address, amount: h().transferAmount + i })),
    );
    await h().mine(1);
    for (const sent of sends) await a().waitForTransaction(sent.hash, { confirmations: 1, timeoutMs: waitMs });
    const first = new StreamReader(a().events({ fromHeight, pollMs, filter }));
    const checkpoint = await (async () => {
      await first.take(sends.length, waitMs);
      // Waiting for one more event lets the stream finish the block and look for the next one.
      expect(await first.next(pollMs * 6)).toBeUndefined();
      return copy(first.stream.checkpoint());
    })().finally(() => first.close());
    const second = new StreamReader(a().events({ checkpoint, pollMs, filter }));
    try {
      const later = await a().transfer(h().funded, { to: receiver.address, amount: h().transferAmount });
      await confirm(later.hash);
      const [next] = await second.take(1, waitMs);
      expect(next?.txHash, 'the first event after resuming must be the new transfer, not one already delivered').toBe(later.hash);
    } finally {
      second.close();
    }
  });

  it('holds a block back until it has exactly the requested confirmations', async (ctx) => {
    needEvents(ctx);
    for (const confirmations of CONFIRMATION_DEPTHS) {
      const receiver = fresh();
      await h().mine(1);
      const fromHeight = (await a().getLatestBlock()).height + 1;
      const reader = new StreamReader(a().events({ fromHeight, confirmations, pollMs, filter: { addresses: [receiver.address] } }));
      try {
        const sent = await a().transfer(h().funded, { to: receiver.address, amount: h().transferAmount });
        const tx = await confirm(sent.hash);
        const txHeight = tx.blockHeight as number;
        // One block at a time: before the last one the event must not come. A chain that also makes blocks on its
        // own may deliver sooner, but never with fewer confirmations than asked.
        let event: OcapEvent | undefined;
        for (let depth = 1; depth < confirmations && !event; depth += 1) {
          event = await reader.next(pollMs * 8);
          const have = (await a().getLatestBlock()).height - txHeight + 1;
          if (event) expect(have, `delivered with ${have} of ${confirmations} confirmations`).toBeGreaterThanOrEqual(confirmations);
          else await h().mine(1);
        }
        event ??= await reader.next(waitMs);
        if (!event) throw new Error(`not delivered within ${waitMs} ms of having ${confirmations} confirmation(s)`);
        expect(event?.txHash).toBe(sent.hash);
        const head = (await a().getLatestBlock()).height;
        expect(head - (event?.blockHeight as number) + 1).toBeGreaterThanOrEqual(confirmations);
      } finally {
        reader.close();
      }
    }
  });

  /**
   * The shared signer sent into the orphaned blocks: its next send must still confirm (a nonce or coin count left
   * ahead of the chain by the dropped transaction would hold it, and every later check, pending forever).
   */
  async function sendsAfterReorg() {
    const sent = await a().transfer(h().funded, { to: fresh().address, amount: h().transferAmount });
    await h().mine(1);
    const tx = await a().waitForTransaction(sent.hash, { confirmations: 1, timeoutMs: Math.min(waitMs, REORG_RESEND_WAIT_MS) });
    expect(tx.status, 'the first send after a reorg that dropped one of the same signer').toBe('success');
  }

  it('reports events of orphaned blocks as removals after a reorg', async (ctx) => {
    needReorgs(ctx);
    await h().mine(REORG_DEPTH + 1);
    const receiver = fresh();
    const fromHeight = (await a().getLatestBlock()).height + 1;
    const reader = new StreamReader(a().events({ fromHeight, pollMs, filter: transfersTo(receiver.address) }));
    try {
      const sent = await a().transfer(h().funded, { to: receiver.address, amount: h().transferAmount });
      await confirm(sent.hash);
      const [added] = await reader.take(1, waitMs);
      expect(added).toMatchObject({ txHash: sent.hash, removed: false });
      await h().reorg?.(REORG_DEPTH);
      await h().mine(1);
      const [removal] = await reader.take(1, waitMs);
      expect(removal).toMatchObject({ txHash: sent.hash, position: added?.position, removed: true, blockHash: added?.blockHash });
      await sendsAfterReorg();
    } finally {
      reader.close();
    }
  });

  it('signals on resume a reorg that happened while the stream was closed', async (ctx) => {
    needReorgs(ctx);
    await h().mine(REORG_DEPTH + 1);
    const receiver = fresh();
    const filter = transfersTo(receiver.address);
    const fromHeight = (await a().getLatestBlock()).height + 1;
    const sent = await a().transfer(h().funded, { to: receiver.address, amount: h().transferAmount });
    await confirm(sent.hash);
    const first = new StreamReader(a().events({ fromHeight, pollMs, filter }));
    const {
      events: [added],
      checkpoint,
    } = await takeThenCheckpoint(first, 1);
    await h().reorg?.(REORG_DEPTH);
    await h().mine(1);
    const second = new StreamReader(a().events({ checkpoint, pollMs, filter }));
    try {
      const [removal] = await second.take(1, waitMs);
      expect(removal).toMatchObject({ txHash: sent.hash, position: added?.position, removed: true, blockHash: added?.blockHash });
      await sendsAfterReorg();
    } finally {
      second.close();
    }
  });

  it('refuses a checkpoint it did not make', async (ctx) => {
    needEvents(ctx);
    await expectOcapError(() => a().events({ checkpoint: { v: 2 } as unknown as StreamCheckpoint }), 'CHECKPOINT_INVALID');
  });
}

function key(event: OcapEvent): string {
  return `${event.position}/${event.txHash}/${event.removed}`;
}
