/**
 * Transactions between consensus nodes: each one admitted here (from a client) goes to every peer, and each one a
 * peer sends is admitted here. Those admitted in one turn of the event loop (a batch of signature checks answers many
 * at once) travel in one frame: one hash, one frame and one socket write per peer for the lot, not per transaction.
 * A node linked to every validator marks its frames direct and nobody relays them (in a full mesh each relay sent
 * every peer a copy it already had: three copies of each frame received instead of one, on four nodes).
 */
import { toHex, txHash } from '@arc/core';
import type { Admission } from '../ledger/admission.ts';
import type { GossipNode } from './gossip/index.ts';
import { type Frame, TXS_FRAME_LIMITS, txsFrame } from './wire.ts';

export const TX_GOSSIP_LIMITS = {
  /** Transaction hashes remembered as heard from peers (not gossiped again from here). */
  heardTxsMax: 100_000,
  /** Bytes a transaction adds to a frame beyond its own (its length prefix, with room to spare). */
  perTxOverheadBytes: 8,
};

export class TxGossip {
  private readonly heard = new Set<string>();
  private outgoing: Uint8Array[] = [];

  constructor(
    private readonly gossip: GossipNode,
    private readonly admission: Pick<Admission, 'submit'>,
    /** The other validators' DIDs. */
    private readonly validators: string[],
  ) {}

  /** A transaction admitted here: gossiped with the others of this turn, unless it came from a peer. */
  admitted(bytes: Uint8Array, hashHex: string): void {
    if (this.heard.has(hashHex)) return;
    this.outgoing.push(bytes);
    if (this.outgoing.length === 1) setImmediate(() => this.flush());
  }

  /**
   * A frame of transactions from a peer: each admitted here and remembered, so that it is not gossiped back. True when
   * the frame is to be relayed (its sender does not reach every validator itself).
   */
  receive(frame: Extract<Frame, { kind: 'tx' | 'txs' }>): boolean {
    for (const bytes of frame.kind === 'tx' ? [frame.bytes] : frame.list) void this.receiveOne(bytes);
    return frame.kind === 'tx' || !frame.direct;
  }

  /** True when every other validator gets what this node sends without a relay. */
  private reachesAll(): boolean {
    return this.validators.every((did) => this.gossip.linked(did));
  }

  private async receiveOne(bytes: Uint8Array): Promise<void> {
    const hashHex = toHex(txHash(bytes));
    if (this.heard.size >= TX_GOSSIP_LIMITS.heardTxsMax) this.heard.clear();
    this.heard.add(hashHex);
    try {
      await this.admission.submit(bytes);
    } catch (error) {
      // A peer's transaction this node refuses (a nonce already used here, say) is its own business: not relayed on.
      if (!(error instanceof Error)) throw error;
    }
  }

  /** Sends what waits, in frames within TXS_FRAME_LIMITS. */
  private flush(): void {
    const all = this.outgoing;
    this.outgoing = [];
    const direct = this.reachesAll();
    let frame: Uint8Array[] = [];
    let frameBytes = 0;
    for (const bytes of all) {
      const size = bytes.length + TX_GOSSIP_LIMITS.perTxOverheadBytes;
      if (frame.length === TXS_FRAME_LIMITS.txsMax || frameBytes + size > TXS_FRAME_LIMITS.bytesMax) {
        this.gossip.broadcast(txsFrame(frame, direct));
        frame = [];
        frameBytes = 0;
      }
      frame.push(bytes);
      frameBytes += size;
    }
    if (frame.length > 0) this.gossip.broadcast(txsFrame(frame, direct));
  }
}
