import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKey } from '../src/config/dev-keys.ts';
import type { Gateway } from '../src/gateway/service.ts';
import type { TopicEvent } from '../src/gateway/types.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { nodeClient } from './helpers/client.ts';
import { until } from './helpers/until.ts';
import { randomSigner, transfer, Wallet } from './helpers/wallet.ts';

/**
 * The gateway's bridge and the blocklet registry hear each committed block's transactions from the producer:
 * while blocks with transactions commit, neither reads the block's transactions back from the database, and the
 * gateway still publishes every account event (hash, type, height) and the registry still follows the chain.
 */

/** Blocks with transactions the test commits, one transfer each (each waits for the previous one's block). */
const BLOCKS = 4;

describe('consumers of committed blocks', () => {
  let node: TestNode;
  /** Every query the node's database handle ran while the test listened that reads the `txs` table by block. */
  const blockReads: string[] = [];
  let listening = false;

  beforeAll(async () => {
    node = await startTestNode({ blockIntervalMs: 200 });
    const { db } = node;
    const query = db.query.bind(db);
    // Instruments the real handle (the same one the ledger, gateway and runtime use); every query still runs.
    db.query = ((text: string, params?: unknown[]) => {
      // A tx lookup by hash is admission's duplicate check, not a read of a block.
      if (listening && /\bFROM txs\b/.test(text) && !/\bhash = decode/.test(text)) blockReads.push(text);
      return query(text, params);
    }) as typeof db.query;
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
  });

  it('publishes every account event of N blocks without reading their transactions back', async () => {
    const gateway = node.services.gateway as Gateway;
    const { ledger, admission, runtime } = node.services;
    const faucet = new Wallet(nodeClient(node.url), node.chainId, devKey('faucet'));
    const recipient = randomSigner();
    const heard: TopicEvent[] = [];
    const unsubscribe = gateway.hub.subscribeUnchecked(`account:${recipient.did}`, (event) => heard.push(event));
    const sent: { hash: string; height: number }[] = [];
    try {
      const first = await faucet.sign(transfer(recipient.did, 1n));
      listening = true;
      for (let i = 0; i < BLOCKS; i += 1) {
        const tx = i === 0 ? first : await faucet.sign(transfer(recipient.did, 1n));
        const committed = new Promise<number>((resolve) => {
          const onBlock = (block: { header: { height: number }; txHashes: string[] }) => {
            if (!block.txHashes.includes(tx.hash)) return;
            ledger.events.off('block', onBlock);
            resolve(block.header.height);
          };
          ledger.events.on('block', onBlock);
        });
        await admission.submit(tx.bytes);
        sent.push({ hash: tx.hash, height: await committed });
      }
      const head = ledger.head.height;
      await gateway.bridges.idle();
      await runtime.registry.waitIndexed(head, 20_000);
      await until('the account events', () => (heard.length >= BLOCKS ? true : undefined));
      listening = false;
      expect(heard.map((e) => e.payload)).toEqual(sent.map((s) => ({ hash: s.hash, type: 'transfer', height: s.height, failed: null })));
      expect(new Set(sent.map((s) => s.height)).size).toBe(BLOCKS);
      expect(blockReads).toEqual([]);
    } finally {
      listening = false;
      unsubscribe();
    }
  }, 120_000);
});
