/**
 * A light client of a chain run by consensus: it follows the chain block by block from its genesis without executing
 * a transaction, checking for each block that a final certificate of the validators' votes decided exactly that header
 * (core's verifyCertificate: signatures, VRF sortition proofs, stake above the threshold) and that the header's seed
 * proof is its proposer's VRF over the previous seed, which gives the seed the next block's votes are checked with.
 */
import {
  blockHash,
  bytesEqual,
  type Committee,
  type ConsensusParams,
  committeeOf,
  decodeHeader,
  decodeMessage,
  decodeSeal,
  didMatchesPublicKey,
  fromHex,
  type GenesisConfig,
  genesisSeed,
  seedAlpha,
  seedOf,
  toHex,
  validatorWeight,
  verifyCertificate,
  vrfVerify,
} from '@arc/core';
import { ClientError } from './errors.ts';

/** A block as a node's `block.raw` serves it (hex of the canonical header, seal and certificate). */
export interface CertifiedBlock {
  height: number;
  header: string;
  seal: string;
  certificate?: string;
}

/** The head a light client has checked up to: height, block hash, and the seed the next block's votes use. */
export interface LightHead {
  height: number;
  hash: string;
  seed: Uint8Array;
}

function invalid(height: number, why: string): ClientError {
  return new ClientError('PROOF_INVALID', `block ${height} is not proven final: ${why}`);
}

export class LightClient {
  private readonly committee: Committee;
  private readonly params: ConsensusParams;
  private current: LightHead;

  /** Starts from a chain's genesis (its `chain.genesis` parsed) and its block 0 (as `block.raw` serves it). */
  constructor(genesis: GenesisConfig, block0: CertifiedBlock) {
    const consensus = genesis.params.consensus;
    if (!consensus) throw new ClientError('BAD_INPUT', 'this chain has no validators in its genesis: its blocks carry no certificates');
    this.committee = committeeOf(consensus.validators.map((v) => ({ publicKey: v.publicKey, weight: validatorWeight(v.stake) })));
    this.params = consensus.params;
    const hash = blockHash(decodeHeader(fromHex(block0.header)));
    this.current = { height: 0, hash: toHex(hash), seed: genesisSeed(hash) };
  }

  get head(): LightHead {
    return this.current;
  }

  /** Checks the next block and moves the head to it; throws PROOF_INVALID, saying why, when it is not proven final. */
  accept(block: CertifiedBlock): LightHead {
    const height = this.current.height + 1;
    if (block.height !== height) throw invalid(block.height, `the next block is ${height}`);
    if (!block.certificate) throw invalid(height, 'it carries no certificate');
    const header = decodeHeader(fromHex(block.header));
    const seal = decodeSeal(fromHex(block.seal));
    const hash = blockHash(header);
    if (header.height !== height || toHex(header.prevHash) !== this.current.hash)
      throw invalid(height, 'its header does not follow the head');
    const cert = decodeMessage(fromHex(block.certificate));
    if (cert.kind !== 'certificate' || !bytesEqual(cert.value, hash)) throw invalid(height, 'its certificate is for another block');
    const ctx = { height, prevHash: fromHex(this.current.hash), seed: this.current.seed, committee: this.committee };
    const check = verifyCertificate(cert, ctx, this.params);
    if (!check.ok) throw invalid(height, check.reason);
    if (check.decision !== 'final') throw invalid(height, 'its certificate is not of the final step');
    if (!didMatchesPublicKey(header.proposer, seal.publicKey)) throw invalid(height, "the seal's key is not the proposer's");
    const beta = header.seedProof ? vrfVerify(seal.publicKey, header.seedProof, seedAlpha(this.current.seed, height)) : null;
    if (!beta) throw invalid(height, "its seed proof is not the proposer's VRF over the previous seed");
    this.current = { height, hash: toHex(hash), seed: seedOf(beta) };
    return this.current;
  }
}
