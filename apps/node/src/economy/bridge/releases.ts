import { type EthereumNative, parseBridgeBurned, StreamReader } from '@arc/adapters';
import { burnReceiptId, type ChainAdapter, fromHex, isValidDid, type OcapEvent, type StreamCheckpoint } from '@arc/core';
import type { Database } from '../../db/client.ts';
import { NodeError } from '../../errors.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { BridgeContract } from './contract.ts';
import { BRIDGE_LIMITS, type BridgeFaults, type BridgeTransfer, burnSourceId } from './options.ts';
import type { BlockletRelayer } from './relayer-blocklet.ts';
import { isCoded } from './signer.ts';
import type { BridgeStore } from './store.ts';

/** The checkpoint of the Ethereum side: the OCAP event stream's own (JSON), per contract. */
export function burnsCheckpointName(contract: string): string {
  return `ethereum-burns:${contract.toLowerCase()}`;
}

export interface BurnRelayDeps {
  db: Database;
  store: BridgeStore;
  ledger: Ledger;
  adapter: ChainAdapter<EthereumNative>;
  contract: BridgeContract;
  /** The relayer blocklet, which collects the approvals and sends the release (relayer-blocklet.ts). */
  relayer: BlockletRelayer;
  confirmations: number;
  fromBlock: number;
  streamPollMs: number;
  faults?: BridgeFaults;
  log: (line: string) => void;
}

/**
 * Ethereum → ledger. Burns come from an OCAP event stream on the contract's logs that delivers a block only once it
 * is `confirmations` deep; each is recorded together with the stream's checkpoint (so a restart resumes right after
 * the last recorded burn: every burn is recorded once). Recorded burns are released by a bridgeRelease the relayer
 * blocklet sends (its own DID pays the fee) with a threshold of approvals it collects; the ledger's receipt of the burn
 * (tx hash + log index) makes the release happen at most once.
 */
export class BurnRelay {
  #reader: StreamReader | undefined;
  readonly #checkpoint: string;

  constructor(readonly deps: BurnRelayDeps) {
    this.#checkpoint = burnsCheckpointName(deps.contract.address);
  }

  async #open(): Promise<StreamReader> {
    const saved = await this.deps.store.checkpoint<StreamCheckpoint>(this.#checkpoint);
    const stream = this.deps.adapter.events({
      ...(saved ? { checkpoint: saved } : { fromHeight: this.deps.fromBlock }),
      confirmations: this.deps.confirmations,
      filter: { addresses: [this.deps.contract.address], kinds: ['log'] },
      pollMs: this.deps.streamPollMs,
    });
    return new StreamReader(stream);
  }

  /** Reads the burns the stream has ready (at most scanBatchMax), recording each with the checkpoint after it. */
  async read(): Promise<number> {
    this.#reader ??= await this.#open();
    const reader = this.#reader;
    let read = 0;
    try {
      while (read < BRIDGE_LIMITS.scanBatchMax) {
        const event = await reader.next(BRIDGE_LIMITS.streamIdleReadMs);
        if (!event) break;
        read += 1;
        // Taken right after the event, while the stream waits at it: the checkpoint resumes just past this event.
        await this.#record(event, reader.stream.checkpoint());
      }
    } catch (error) {
      // The stream (or the event it handed out) is in an unknown state: start again from the stored checkpoint.
      this.close();
      throw error;
    }
    return read;
  }

  close(): void {
    this.#reader?.close();
    this.#reader = undefined;
  }

  async #record(event: OcapEvent, checkpoint: StreamCheckpoint): Promise<void> {
    const { contract, store } = this.deps;
    const next = { name: this.#checkpoint, value: checkpoint };
    // The stream's log has no log index (its position counts every event of the block): the receipt gives it below.
    const log = { address: event.address ?? '', topics: event.topics ?? [], data: event.data ?? '0x' };
    const parsed = parseBridgeBurned(
      { ...log, transactionHash: event.txHash, index: -1, blockNumber: event.blockHeight },
      contract.address,
    );
    if (!parsed) return store.record([], next);
    if (event.removed) {
      // Delivered only `confirmations` deep, so only a deeper reorganisation removes a burn.
      const rows = await store.reorged(event.txHash, next);
      for (const row of rows.filter((r) => r.status === 'released')) {
        this.deps.log(`bridge: burn ${row.sourceId} was released and then reorganised away deeper than ${this.deps.confirmations} blocks`);
      }
      return;
    }
    const receipt = await contract.canonicalReceipt(event.txHash);
    const burned = receipt && contract.burnsOf(receipt).find((b) => b.burnNonce === parsed.burnNonce);
    // Gone since the stream read it: the stream reports the removal, or the block again, when it resumes.
    if (!burned) throw new NodeError('UNAVAILABLE', `burn ${parsed.burnNonce} in ${event.txHash} is no longer on the canonical chain`);
    const sourceId = burnSourceId(event.txHash, burned.logIndex);
    const valid = isValidDid(burned.arcDid);
    await store.record(
      [
        {
          direction: 'toLedger',
          sourceId,
          amount: burned.amount,
          fromAccount: burned.from.toLowerCase(),
          toAccount: burned.arcDid,
          status: valid ? 'burned' : 'refused',
          reason: valid ? null : `the burn names ${JSON.stringify(burned.arcDid)}, which is not a DID: it is never released`,
          ethTxHash: event.txHash.toLowerCase(),
          ethBlock: burned.blockNumber,
        },
      ],
      next,
    );
    await this.deps.faults?.('burnRecorded', sourceId);
  }

  /** Moves every recorded burn one step: released once the ledger holds its receipt, else approvals and a release. */
  async advance(): Promise<number> {
    let sent = 0;
    for (const t of await this.deps.store.inFlight('toLedger')) {
      try {
        if (await this.#advance(t)) sent += 1;
      } catch (error) {
        if (!isCoded(error)) throw error;
        if (error.retriable) await this.deps.store.update(t, { reason: error.message });
        else await this.deps.store.failed(t, error.message);
      }
    }
    return sent;
  }

  async #released(t: BridgeTransfer): Promise<void> {
    const confirmations = t.ethBlock === null ? t.confirmations : await this.deps.contract.depth(t.ethBlock);
    await this.deps.store.update(t, { status: 'released', confirmations, reason: null });
  }

  /** True when a release was sent. */
  async #advance(t: BridgeTransfer): Promise<boolean> {
    const { db, ledger, store } = this.deps;
    const [hash, logIndex] = t.sourceId.split(':') as [string, string];
    const request = { ethTxHash: hash, logIndex: Number(logIndex), to: t.toAccount, amount: t.amount };
    const [receipt] = await db.query('SELECT 1 FROM receipts WHERE id = $1', [burnReceiptId(fromHex(hash), request.logIndex)]);
    if (receipt) {
      await this.#released(t);
      return false;
    }
    // Sent and waiting for a block.
    if (t.status === 'releasing' && t.ledgerTxHash && ledger.mempool.get(t.ledgerTxHash)) return false;
    // A refusal (too few approvals) is thrown and recorded on the transfer.
    const sent = await this.deps.relayer.release(request, ledger.params.economy.bridgeThreshold);
    await store.update(t, { status: 'releasing', ledgerTxHash: sent.ledgerTxHash, reason: null });
    await this.deps.faults?.('releaseSent', t.sourceId);
    return true;
  }
}
