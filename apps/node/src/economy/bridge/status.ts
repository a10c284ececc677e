import { burnReceiptId, decodeAccount, fromHex } from '@arc/core';
import type { Database } from '../../db/client.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { BridgeStatus, BridgeStatusQuery } from './api-schemas.ts';
import type { BridgeContract } from './contract.ts';
import { BRIDGE_FINAL, BRIDGE_LIMITS, type BridgeTransfer, burnSourceId } from './options.ts';
import { BLOCK_END_IDX, LOCKS_CHECKPOINT } from './relayer.ts';
import type { BlockletSigner } from './signer-blocklet.ts';
import type { BridgeStore } from './store.ts';

export interface StatusDeps {
  db: Database;
  ledger: Ledger;
  store: BridgeStore;
  contract: BridgeContract;
  signers: BlockletSigner[];
  /** The relayer blocklet (which carries the signatures; no authority). */
  relayer: { blocklet: string; did: string; ethAddress: string };
  confirmations: number;
  fromBlock: number;
}

interface Flow {
  count: number;
  amount: bigint;
}

const flow = (items: { amount: bigint }[]): { count: number; amount: string } => {
  const total: Flow = { count: 0, amount: 0n };
  for (const i of items) {
    total.count += 1;
    total.amount += i.amount;
  }
  return { count: total.count, amount: total.amount.toString() };
};

/** What the wallet and the console show of the bridge: its configuration, what is where, and recent transfers. */
export class BridgeStatusReader {
  constructor(readonly deps: StatusDeps) {}

  /**
   * Read ledger first (one database snapshot), then Ethereum at one block: every release the snapshot holds has its
   * burn at or below that block, and every lock it holds is minted at that block or not. A transfer that moves
   * between the two reads may show as moving a moment longer.
   */
  async read(query: BridgeStatusQuery): Promise<BridgeStatus> {
    const { db, ledger, store, contract, confirmations } = this.deps;
    const economy = ledger.params.economy;
    const scanFrom = Math.max(this.deps.fromBlock, (await contract.head()) - BRIDGE_LIMITS.unconfirmedScanBlocksMax + 1);
    const account = query.account?.startsWith('0x') ? query.account.toLowerCase() : query.account;
    const rowsMax = BRIDGE_LIMITS.statusRowsMax;
    const snapshot = await db.transaction(async (sql) => {
      const [escrow] = await sql.query<{ value: Uint8Array }>('SELECT value FROM accounts WHERE did = $1', [economy.bridgeEscrow]);
      const toEthereum = await store.withStatus('toEthereum', ['minted', 'reorged'], rowsMax, sql, true);
      const toLedger = await store.withStatus('toLedger', ['released', 'reorged'], rowsMax, sql, true);
      const ids = toLedger.map((t) => {
        const [hash, index] = t.sourceId.split(':') as [string, string];
        return burnReceiptId(fromHex(hash), Number(index));
      });
      const receipts = await sql.query<{ id: string }>('SELECT id FROM receipts WHERE id = ANY($1::text[])', [ids]);
      const released = new Set(receipts.map((r) => r.id));
      const from = (await store.checkpoint<{ height: number; idx: number }>(LOCKS_CHECKPOINT, sql)) ?? { height: 0, idx: BLOCK_END_IDX };
      const unrecorded = await sql.query<{ events: { type: string; lockId?: string; amount?: string }[] | string }>(
        `SELECT events FROM txs WHERE (height, idx) > ($1, $2) AND type = 'bridgeLock' ORDER BY height, idx LIMIT $3`,
        [from.height, from.idx, rowsMax],
      );
      const newLocks = unrecorded.flatMap((row) =>
        (typeof row.events === 'string' ? JSON.parse(row.events) : row.events)
          .filter((e: { type: string }) => e.type === 'bridgeLocked')
          .map((e: { lockId: string; amount: string }) => ({ lockId: `0x${e.lockId}`, amount: BigInt(e.amount) })),
      ) as { lockId: string; amount: bigint }[];
      return {
        escrow: escrow ? decodeAccount(new Uint8Array(escrow.value)).balance : 0n,
        toEthereum,
        toLedger: toLedger.filter((_, i) => !released.has(ids[i] as string)),
        newLocks,
        recordedBurns: await store.burnsSince(scanFrom, sql),
        page: await store.page(account, query.beforeSeq, query.limit, sql),
      };
    });

    const block = await contract.head();
    const [totalSupply, set, chainId] = await Promise.all([contract.totalSupply(block), contract.signerSet(), contract.chainId()]);
    const lockIds = [
      ...snapshot.toEthereum.map((t) => ({ lockId: t.sourceId, amount: t.amount, failed: t.status === 'failed' })),
      ...snapshot.newLocks.map((l) => ({ ...l, failed: false })),
    ];
    const minted = await Promise.all(lockIds.map((l) => contract.minted(l.lockId, block)));
    const notMinted = lockIds.filter((_, i) => !minted[i]);
    const unconfirmed = (await contract.burnsBetween(scanFrom, block))
      .map((b) => ({ ...b, sourceId: burnSourceId(b.txHash, b.logIndex) }))
      .filter((b) => !snapshot.recordedBurns.has(b.sourceId));
    const stuckBurns = (t: BridgeTransfer) => t.status === 'failed' || t.status === 'refused';
    // A mint the relayer sent but has not yet seen mined: its receipt says where it is, so the count starts as soon as
    // it is mined, whatever the relayer's pace (at most one receipt per transfer on the page).
    const minedAt = new Map<string, number>();
    await Promise.all(
      snapshot.page
        .filter((t) => t.status === 'minting' && t.ethBlock === null && t.ethTxHash !== null)
        .map(async (t) => {
          const receipt = await contract.canonicalReceipt(t.ethTxHash as string);
          if (receipt && BigInt(receipt.status) === 1n) minedAt.set(t.sourceId, Number(BigInt(receipt.blockNumber)));
        }),
    );
    const depth = (t: BridgeTransfer) => {
      const at = t.ethBlock ?? minedAt.get(t.sourceId);
      return BRIDGE_FINAL.includes(t.status) || at === undefined ? t.confirmations : Math.max(0, block - at + 1);
    };
    return {
      contract: contract.address,
      chainId: `eip155:${chainId}`,
      confirmations,
      ethereumBlock: block,
      signers: {
        ledger: { dids: [...economy.bridgeSigners], threshold: economy.bridgeThreshold },
        ethereum: { addresses: set.addresses, threshold: set.threshold },
        local: this.deps.signers.map((s) => ({ blocklet: s.blocklet, did: s.did, ethAddress: s.ethAddress })),
      },
      relayer: { blocklet: this.deps.relayer.blocklet, did: this.deps.relayer.did, ethAddress: this.deps.relayer.ethAddress },
      escrowDid: economy.bridgeEscrow,
      locked: snapshot.escrow.toString(),
      totalSupply: totalSupply.toString(),
      inFlight: {
        toEthereum: flow(notMinted.filter((l) => !l.failed)),
        toLedger: flow([...snapshot.toLedger.filter((t) => !stuckBurns(t)), ...unconfirmed]),
      },
      stuck: { toEthereum: flow(notMinted.filter((l) => l.failed)), toLedger: flow(snapshot.toLedger.filter(stuckBurns)) },
      unconfirmedBurns: unconfirmed
        .filter((b) => !account || b.arcDid === account || b.from.toLowerCase() === account)
        .reverse()
        .slice(0, query.limit)
        .map((b) => ({
          sourceId: b.sourceId,
          from: b.from.toLowerCase(),
          to: b.arcDid,
          amount: b.amount.toString(),
          confirmations: Math.max(0, block - b.blockNumber + 1),
          ethTxHash: b.txHash.toLowerCase(),
        })),
      transfers: snapshot.page.map((t) => ({
        seq: t.seq,
        direction: t.direction,
        sourceId: t.sourceId,
        amount: t.amount.toString(),
        from: t.fromAccount,
        to: t.toAccount,
        status: t.status,
        reason: t.reason,
        ethTxHash: t.ethTxHash,
        ledgerTxHash: t.ledgerTxHash,
        confirmations: depth(t),
        confirmationsRequired: confirmations,
        createdAtMs: t.createdAtMs,
        updatedAtMs: t.updatedAtMs,
      })),
      nextBeforeSeq: snapshot.page.length === query.limit ? (snapshot.page[snapshot.page.length - 1]?.seq ?? null) : null,
    };
  }
}
