/**
 * Catching up on a consensus chain: a node that learns it is behind (a restart, a partition, a late start) asks its
 * peers for the blocks it lacks over their `block.raw` API, checks each block's certificate against the height's seed
 * and committee before anything else, and imports it through the ledger's import path (core's validateBlock), writing
 * the certificate in the block's own transaction. A peer that serves a block without a valid certificate is skipped.
 */
import {
  BlockInvalid,
  blockHash,
  bytesEqual,
  type Certificate,
  type Committee,
  type ConsensusParams,
  decodeHeader,
  decodeMessage,
  decodeSeal,
  encodeHeader,
  fromHex,
  verifyCertificate,
} from '@arc/core';
import type { Ledger } from '../ledger/ledger.ts';
import { RawBlocksOut } from '../ledger/raw-blocks.ts';
import { certificateWriter, seedAfter, storedHeader } from './chain-context.ts';
import { encodeCandidate } from './wire.ts';

export const CATCH_UP_LIMITS = {
  /** Blocks asked for per page. */
  pageBlocks: 20,
  /** One request to a peer. */
  requestTimeoutMs: 10_000,
  /** The largest answer read from a peer. */
  responseBytesMax: 64 * 1024 * 1024,
  /** Pages imported in one catch-up before the node takes part in agreement again. */
  pagesPerRunMax: 50,
};

export class CatchUp {
  private nextPeer = 0;

  constructor(
    private readonly ledger: Ledger,
    private readonly committee: Committee,
    private readonly params: ConsensusParams,
    private readonly peerUrls: string[],
    private readonly log: (line: string) => void,
  ) {}

  /** Imports what peers have past this node's head; answers how many blocks were imported. */
  async run(headSeed: Uint8Array): Promise<number> {
    let imported = 0;
    let seed = headSeed;
    for (let attempt = 0; attempt < this.peerUrls.length; attempt += 1) {
      const url = this.peerUrls[(this.nextPeer + attempt) % this.peerUrls.length] as string;
      try {
        for (let page = 0; page < CATCH_UP_LIMITS.pagesPerRunMax; page += 1) {
          const got = await this.page(url, seed);
          imported += got.imported;
          seed = got.seed;
          if (got.done) break;
        }
        if (imported > 0) this.log(`consensus: caught up ${imported} block(s) from ${url}; head ${this.ledger.head.height}`);
        return imported;
      } catch (error) {
        this.log(`consensus: catching up from ${url}: ${(error as Error).message}`);
        this.nextPeer += 1;
      }
    }
    return imported;
  }

  private async page(url: string, headSeed: Uint8Array): Promise<{ imported: number; seed: Uint8Array; done: boolean }> {
    const from = this.ledger.head.height + 1;
    const input = encodeURIComponent(JSON.stringify({ from, limit: CATCH_UP_LIMITS.pageBlocks }));
    const response = await fetch(`${url}/trpc/block.raw?input=${input}`, { signal: AbortSignal.timeout(CATCH_UP_LIMITS.requestTimeoutMs) });
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > CATCH_UP_LIMITS.responseBytesMax) throw new Error(`the answer is ${length} bytes, over the limit`);
    const text = await response.text();
    if (text.length > CATCH_UP_LIMITS.responseBytesMax) throw new Error('the answer is over the limit');
    const body = JSON.parse(text) as { result?: { data?: unknown } };
    const page = RawBlocksOut.parse(body.result?.data);
    let seed = headSeed;
    let imported = 0;
    for (const raw of page.blocks) {
      if (raw.height !== this.ledger.head.height + 1)
        throw new Error(`served block ${raw.height} where ${this.ledger.head.height + 1} was asked for`);
      if (!raw.certificate) throw new Error(`block ${raw.height} came without a certificate`);
      const header = decodeHeader(fromHex(raw.header));
      const candidate = { header, seal: decodeSeal(fromHex(raw.seal)), txs: raw.txs.map((t) => fromHex(t)) };
      const cert = decodeMessage(fromHex(raw.certificate));
      const hash = blockHash(header);
      if (cert.kind !== 'certificate' || !bytesEqual(cert.value, hash))
        throw new Error(`block ${raw.height}'s certificate is for another block`);
      const head = this.ledger.head;
      const check = verifyCertificate(cert, { height: raw.height, prevHash: head.hash, seed, committee: this.committee }, this.params);
      if (!check.ok) throw new Error(`block ${raw.height}'s certificate does not hold: ${check.reason}`);
      const write = certificateWriter(
        {
          height: raw.height,
          hash,
          attempt: cert.attempt,
          step: cert.step,
          final: check.decision === 'final',
          certificate: fromHex(raw.certificate),
        },
        Date.now(),
      );
      const result = await this.ledger.importBlock(candidate, { parentSeed: seed, write });
      if (result instanceof BlockInvalid) throw new Error(`block ${raw.height} is invalid here (${result.code}: ${result.message})`);
      seed = seedAfter(encodeHeader(header));
      imported += 1;
    }
    return { imported, seed, done: page.next === null };
  }

  /** This node's block at a height as a proposal payload (to help a peer that is behind), or null. */
  async localPayload(height: number): Promise<Uint8Array | null> {
    const header = await storedHeader(this.ledger.db, height);
    const [row] = await this.ledger.db.query<{ seal: Uint8Array }>('SELECT seal FROM blocks WHERE height = $1', [height]);
    if (!header || !row) return null;
    const txs = await this.ledger.db.query<{ bytes: Uint8Array }>('SELECT bytes FROM txs WHERE height = $1 ORDER BY idx', [height]);
    return encodeCandidate({ header: decodeHeader(header), seal: decodeSeal(row.seal), txs: txs.map((t) => t.bytes) });
  }

  /** A stored certificate with its block attached, as gossip carries it to a peer that is behind. */
  withPayload(certificate: Uint8Array, payload: Uint8Array): Certificate | null {
    const cert = decodeMessage(certificate);
    return cert.kind === 'certificate' ? { ...cert, payload } : null;
  }
}
