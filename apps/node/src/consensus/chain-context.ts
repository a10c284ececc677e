import {
  type BlockHeader,
  blockHash,
  type Committee,
  committeeOf,
  decodeHeader,
  type GenesisConfig,
  genesisSeed,
  seedOf,
  toHex,
  validatorWeight,
  vrfProofToHash,
} from '@arc/core';
import type { Sql } from '../db/client.ts';

/** The validators' committee of a consensus chain: each validator's key and its genesis stake in whole ABT. */
export function genesisCommittee(genesis: GenesisConfig): Committee {
  const validators = genesis.params.consensus?.validators ?? [];
  return committeeOf(validators.map((v) => ({ publicKey: v.publicKey, weight: validatorWeight(v.stake) })));
}

/**
 * The sortition seed a block leaves to the next height: from its header's seed proof (the proposer's VRF output), or
 * from the genesis block's hash for block 0.
 */
export function seedAfter(encodedHeader: Uint8Array): Uint8Array {
  return seedAfterHeader(decodeHeader(encodedHeader));
}

/** `seedAfter` of a header at hand (a block this node has just committed). */
export function seedAfterHeader(header: BlockHeader): Uint8Array {
  if (header.height === 0 || !header.seedProof) return genesisSeed(blockHash(header));
  return seedOf(vrfProofToHash(header.seedProof));
}

/** The stored header of a block, as encoded (null when this node does not hold it). */
export async function storedHeader(db: Sql, height: number): Promise<Uint8Array | null> {
  const [row] = await db.query<{ header: Uint8Array }>('SELECT header FROM blocks WHERE height = $1', [height]);
  return row?.header ?? null;
}

/** A block's certificate row, written in the block's own transaction. */
export function certificateWriter(
  row: { height: number; hash: Uint8Array; attempt: number; step: number; final: boolean; certificate: Uint8Array },
  nowMs: number,
): (tx: Sql) => Promise<void> {
  return async (tx) => {
    await tx.query(
      `INSERT INTO block_certificates (height, hash, attempt, step, final, certificate, decided_at_ms)
       VALUES ($1, decode($2, 'hex'), $3, $4, $5, decode($6, 'hex'), $7)`,
      [row.height, toHex(row.hash), row.attempt, row.step, row.final, toHex(row.certificate), nowMs],
    );
  };
}

/** A stored certificate (encoded) of a height, or null. */
export async function storedCertificate(db: Sql, height: number): Promise<Uint8Array | null> {
  const [row] = await db.query<{ certificate: Uint8Array }>('SELECT certificate FROM block_certificates WHERE height = $1', [height]);
  return row?.certificate ?? null;
}
