import { toHex, txHash } from '@arc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isConnected, sleep, startNode, type TestNode, waitFor } from './gossip/gossip-testing.ts';
import { TxGossip } from './tx-gossip.ts';
import { decodeFrame } from './wire.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A gossip node with TxGossip on it (validators: the DIDs given later), recording the transactions it is handed. */
async function txNode(peers: string[] = []) {
  const started: TestNode = await startNode({ peers });
  cleanups.push(() => started.node.stop());
  const submitted: string[] = [];
  const validators: string[] = [];
  const txs = new TxGossip(
    started.node,
    {
      submit: async (bytes: Uint8Array) => {
        submitted.push(Buffer.from(bytes).toString('utf8'));
        return { hash: '', status: 'pending' as const, height: null };
      },
    },
    validators,
  );
  started.node.onMessage((payload) => {
    const frame = decodeFrame(payload);
    return frame?.kind === 'tx' || frame?.kind === 'txs' ? txs.receive(frame) : false;
  });
  return { ...started, txs, submitted, validators };
}

const tx = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('transaction gossip between validators', () => {
  it('is not relayed when its sender reaches every validator, and is when a link is missing', async () => {
    // Validators A, B and C in a full mesh; D, an observer, is linked to B only and hears only what B relays.
    const b = await txNode();
    const url = b.node.url as string;
    const a = await txNode([url]);
    const c = await txNode([url, a.node.url as string]);
    const d = await txNode([url]);
    a.validators.push(b.node.did, c.node.did);
    await waitFor('the mesh', () => isConnected(a.node, b.node.did) && isConnected(a.node, c.node.did) && isConnected(d.node, b.node.did));
    a.txs.admitted(tx('transfer 1'), 'hash 1');
    a.txs.admitted(tx('transfer 2'), 'hash 2');
    await waitFor('B and C to get both', () => b.submitted.length === 2 && c.submitted.length === 2);
    await sleep(300);
    expect(b.submitted).toEqual(['transfer 1', 'transfer 2']);
    expect(d.submitted).toEqual([]);
    // A's link to C cut: its next frame asks for relays, and B passes it on (to C and to D).
    a.node.cut(c.node.did);
    a.txs.admitted(tx('transfer 3'), 'hash 3');
    await waitFor('C and D to get it through B', () => c.submitted.includes('transfer 3') && d.submitted.includes('transfer 3'));
    expect(d.submitted).toEqual(['transfer 3']);
  });

  it('does not gossip again what it got from a peer', async () => {
    const b = await txNode();
    const a = await txNode([b.node.url as string]);
    a.validators.push(b.node.did);
    b.validators.push(a.node.did);
    await waitFor('A and B linked', () => isConnected(a.node, b.node.did) && isConnected(b.node, a.node.did));
    a.txs.admitted(tx('transfer 1'), 'unused');
    await waitFor('B to get it', () => b.submitted.length === 1);
    // B admits it (as its admission would) and is told so: it does not send it back.
    b.txs.admitted(tx('transfer 1'), toHex(txHash(tx('transfer 1'))));
    await sleep(300);
    expect(a.submitted).toEqual([]);
  });
});
