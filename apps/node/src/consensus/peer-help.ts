/**
 * Peers still agreeing on a height this node has decided get that block with its final certificate, so that one that
 * missed the final votes (a partition, a restart) does not wait for a catch-up. Rate-limited per height, and not in
 * the first moments after this node decided it: the final votes in flight decide it there too.
 */
import type { Database } from '../db/client.ts';
import type { CatchUp } from './catchup.ts';
import { storedCertificate } from './chain-context.ts';
import type { GossipNode } from './gossip/index.ts';
import { consensusFrame } from './wire.ts';

export const PEER_HELP_LIMITS = {
  /** Certified blocks sent to peers still at an earlier height, at most one per height per this many ms. */
  helpEveryMs: 1_000,
  /**
   * A peer still voting at a height this node decided less than this long ago needs no help: the final votes in
   * flight decide it there too. Past it, the peer likely missed them and gets the block with its certificate. (Every
   * node hears its slower peers' last votes each height: answering those with whole blocks cost each node three
   * extra copies of every block.)
   */
  helpAfterMs: 1_000,
  /** Heights remembered (when decided here, when last helped). */
  heightsKept: 64,
};

export class PeerHelp {
  private readonly helped = new Map<number, number>();
  private readonly decidedAtMs = new Map<number, number>();

  constructor(
    private readonly db: Database,
    private readonly catchUp: CatchUp,
    private readonly gossip: GossipNode,
  ) {}

  /** This node decided `height` at `nowMs`. */
  decided(height: number, nowMs: number): void {
    remember(this.decidedAtMs, height, nowMs);
  }

  /** A peer still agrees on `height`: send it that block with its certificate (once stored here, rate-limited). */
  async help(height: number, nowMs: number): Promise<void> {
    if ((this.helped.get(height) ?? 0) + PEER_HELP_LIMITS.helpEveryMs > nowMs) return;
    const decidedAt = this.decidedAtMs.get(height);
    if (decidedAt !== undefined && nowMs - decidedAt < PEER_HELP_LIMITS.helpAfterMs) return;
    remember(this.helped, height, nowMs);
    const cert = await storedCertificate(this.db, height);
    const block = await this.catchUp.localPayload(height);
    if (!cert || !block) return;
    const message = this.catchUp.withPayload(cert, block);
    if (message) this.gossip.broadcast(consensusFrame(message));
  }
}

function remember(map: Map<number, number>, height: number, atMs: number): void {
  map.set(height, atMs);
  if (map.size > PEER_HELP_LIMITS.heightsKept) map.delete(map.keys().next().value as number);
}
