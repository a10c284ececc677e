import type { Database } from '../../db/client.ts';
import { PeriodicPass } from '../../db/periodic.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { BridgeContract } from './contract.ts';
import { BRIDGE_LIMITS, type BridgeFaults, type BridgeTransfer } from './options.ts';
import type { BlockletRelayer } from './relayer-blocklet.ts';
import type { BurnRelay } from './releases.ts';
import { isCoded } from './signer.ts';
import type { BridgeStore, NewTransfer } from './store.ts';

/** The checkpoint of the ledger side: the position (height, index) of the last transaction looked at. */
export const LOCKS_CHECKPOINT = 'ledger-locks';
/** Past every transaction index of a block (txs.idx is an int4). */
export const BLOCK_END_IDX = 2_147_483_647;

interface LockCheckpoint {
  height: number;
  idx: number;
}

interface LockRow {
  hash: Uint8Array;
  height: number;
  idx: number;
  events: { type: string; lockId?: string; from?: string; amount?: string; ethAddress?: string }[] | string;
}

export interface RelayerDeps {
  db: Database;
  store: BridgeStore;
  ledger: Ledger;
  contract: BridgeContract;
  /** The relayer blocklet, which collects the signatures and sends (relayer-blocklet.ts). */
  relayer: BlockletRelayer;
  burns: BurnRelay;
  confirmations: number;
  fromBlock: number;
  faults?: BridgeFaults;
  log: (line: string) => void;
}

export interface PassReport {
  locksRecorded: number;
  mintsSent: number;
  burnsRead: number;
  releasesSent: number;
}

/**
 * The bridge's passes: one at a time, each bounded (BRIDGE_LIMITS). Ledger → Ethereum: records every committed
 * bridgeLock past its checkpoint, has the relayer blocklet send its `mint` (with the threshold of signatures it
 * collects from the signers) while `minted(lockId)` is false, and counts the mint's confirmations (asking again if a
 * reorg took it away). Ethereum → ledger: BurnRelay (releases.ts). Neither the passes nor the relayer hold signing
 * power: each signer checks the source itself, and the contract and the ledger each count a threshold of them.
 */
export class BridgeRelayer {
  readonly #pass: PeriodicPass;

  constructor(
    readonly deps: RelayerDeps,
    intervalMs: number = BRIDGE_LIMITS.intervalMs,
  ) {
    this.#pass = new PeriodicPass(intervalMs, () =>
      this.run().then(
        () => undefined,
        (error: unknown) => deps.log(`bridge: a relayer pass stopped (the next one resumes): ${(error as Error).message}`),
      ),
    );
  }

  start(): void {
    this.#pass.start();
  }

  async stop(): Promise<void> {
    await this.#pass.stop();
    this.deps.burns.close();
  }

  idle(): Promise<void> {
    return this.#pass.idle();
  }

  /** One pass: both directions, each bounded. */
  async run(): Promise<PassReport> {
    await this.deps.faults?.('pass', '');
    const locksRecorded = await this.recordLocks();
    const mintsSent = await this.advanceMints();
    const burnsRead = await this.deps.burns.read();
    const releasesSent = await this.deps.burns.advance();
    return { locksRecorded, mintsSent, burnsRead, releasesSent };
  }

  /** Records committed bridge locks after the checkpoint (at most scanBatchMax) and moves the checkpoint with them. */
  async recordLocks(): Promise<number> {
    const { db, store, ledger } = this.deps;
    const from = (await store.checkpoint<LockCheckpoint>(LOCKS_CHECKPOINT)) ?? { height: 0, idx: BLOCK_END_IDX };
    // Read before the query: a block committed meanwhile is left for the next pass, never skipped.
    const head = ledger.head.height;
    const rows = await db.query<LockRow>(
      `SELECT hash, height::float8 AS height, idx, events FROM txs
       WHERE (height, idx) > ($1, $2) AND height <= $3 AND type = 'bridgeLock' ORDER BY height, idx LIMIT $4`,
      [from.height, from.idx, head, BRIDGE_LIMITS.scanBatchMax],
    );
    const last = rows[rows.length - 1];
    const until =
      last && rows.length === BRIDGE_LIMITS.scanBatchMax ? { height: last.height, idx: last.idx } : { height: head, idx: BLOCK_END_IDX };
    if (rows.length === 0 && until.height === from.height && until.idx === from.idx) return 0;
    const transfers: NewTransfer[] = [];
    for (const row of rows) {
      const events = typeof row.events === 'string' ? (JSON.parse(row.events) as Exclude<LockRow['events'], string>) : row.events;
      for (const e of events) {
        if (e.type !== 'bridgeLocked' || !e.lockId || !e.from || !e.amount || !e.ethAddress) continue;
        transfers.push({
          direction: 'toEthereum',
          sourceId: `0x${e.lockId}`,
          amount: BigInt(e.amount),
          fromAccount: e.from,
          toAccount: e.ethAddress.toLowerCase(),
          status: 'locked',
          ledgerTxHash: Buffer.from(row.hash).toString('hex'),
        });
      }
    }
    await store.record(transfers, { name: LOCKS_CHECKPOINT, value: until });
    return transfers.length;
  }

  /** Moves every lock in flight one step: counts its mint's confirmations, or collects signatures and sends it. */
  async advanceMints(): Promise<number> {
    let sent = 0;
    for (const t of await this.deps.store.inFlight('toEthereum')) {
      try {
        if (await this.#advanceMint(t)) sent += 1;
      } catch (error) {
        if (!isCoded(error)) throw error;
        await this.#refused(t, error.message, error.retriable);
      }
    }
    return sent;
  }

  async #refused(t: BridgeTransfer, reason: string, retriable: boolean): Promise<void> {
    // A refusal that may pass by itself (not deep enough, a node behind) is shown, not counted against the transfer.
    if (retriable) await this.deps.store.update(t, { reason });
    else await this.deps.store.failed(t, reason);
  }

  /** True when a mint was sent. */
  async #advanceMint(t: BridgeTransfer): Promise<boolean> {
    const { contract, store, confirmations } = this.deps;
    const lockId = t.sourceId;
    if (await contract.minted(lockId)) {
      const mint = await contract.mintOf(lockId, t.ethTxHash, this.deps.fromBlock);
      // Minted, but the node does not show the log yet: count it next pass.
      if (!mint) return false;
      const done = mint.confirmations >= confirmations;
      await store.update(t, {
        status: done ? 'minted' : 'minting',
        ethTxHash: mint.txHash,
        ethBlock: mint.block,
        confirmations: mint.confirmations,
        reason: null,
      });
      return false;
    }
    // Not minted: sent and still waiting in the mempool, or never sent, or reorganised away (then sent again).
    if (t.ethTxHash && (await contract.known(t.ethTxHash)) && !(await contract.canonicalReceipt(t.ethTxHash))) return false;
    // A refusal (too few signatures, a mint the contract would revert) is thrown and recorded on the transfer.
    const sent = await this.deps.relayer.mint({ lockId, to: t.toAccount, amount: t.amount });
    if (sent.ethTxHash === null || sent.ethTxHash === t.ethTxHash) return false;
    await store.update(t, { status: 'minting', ethTxHash: sent.ethTxHash, ethBlock: null, confirmations: 0, reason: null });
    await this.deps.faults?.('mintSent', lockId);
    return !sent.waiting;
  }
}
