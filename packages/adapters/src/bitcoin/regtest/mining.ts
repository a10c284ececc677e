import * as bitcoin from 'bitcoinjs-lib';
import {
  COINBASE_WEIGHT_RESERVED,
  MAX_BLOCK_WEIGHT,
  type MempoolEntry,
  type StoredBlock,
  sum,
  WITNESS_COMMITMENT_HEADER,
} from './consensus.ts';
import { REGTEST_BITS } from './genesis.ts';

export interface BlockTemplateInput {
  parent: StoredBlock;
  /** The mempool in arrival order (parents before children). */
  mempool: Iterable<MempoolEntry>;
  /** The output script the coinbase pays. */
  script: Uint8Array;
  nowSec: number;
  /** Makes every coinbase (and so every block) unique. */
  extraNonce: number;
  /** The block subsidy at the new height. */
  subsidySats: bigint;
}

/**
 * A new block on `parent`, not yet connected: the mempool entries that fit its weight and whose mempool parents
 * are already in it, after a coinbase paying subsidy + fees to `script` with the BIP34 height and a segwit witness
 * commitment. No proof of work (regtest bits, nonce 0); its time never goes below the parent's.
 */
export function assembleBlock(input: BlockTemplateInput): StoredBlock {
  const { parent } = input;
  const height = parent.height + 1;
  const selected: MempoolEntry[] = [];
  const included = new Set<string>();
  let weight = COINBASE_WEIGHT_RESERVED;
  for (const entry of input.mempool) {
    if (weight + entry.weight > MAX_BLOCK_WEIGHT) continue;
    if (![...entry.parents].every((p) => included.has(p))) continue;
    selected.push(entry);
    included.add(entry.txid);
    weight += entry.weight;
  }
  const coinbase = coinbaseTx(height, input.script, input.subsidySats + sum(selected.map((e) => e.fee)), input.extraNonce);
  const txs = [coinbase, ...selected.map((e) => e.tx)];
  const commitment = bitcoin.Block.calculateMerkleRoot(txs, true);
  coinbase.addOutput(bitcoin.script.compile([bitcoin.opcodes.OP_RETURN, Buffer.concat([WITNESS_COMMITMENT_HEADER, commitment])]), 0n);
  const block = new bitcoin.Block();
  block.version = 0x20000000;
  block.prevHash = parent.block.getHash();
  block.merkleRoot = bitcoin.Block.calculateMerkleRoot(txs);
  block.timestamp = Math.max(input.nowSec, parent.block.timestamp);
  block.bits = REGTEST_BITS;
  block.nonce = 0;
  block.transactions = txs;
  return {
    block,
    hash: block.getId(),
    height,
    parentHash: parent.hash,
    txs,
    txids: txs.map((tx) => tx.getId()),
    undo: [],
    invalid: false,
  };
}

function coinbaseTx(height: number, script: Uint8Array, valueSats: bigint, extraNonceValue: number): bitcoin.Transaction {
  const extraNonce = Buffer.alloc(8);
  extraNonce.writeBigUInt64LE(BigInt(extraNonceValue));
  const tx = new bitcoin.Transaction();
  tx.version = 2;
  // BIP34: the height first; the extra nonce keeps every coinbase (and so every block) unique.
  tx.addInput(new Uint8Array(32), 0xffffffff, 0xffffffff, bitcoin.script.compile([bitcoin.script.number.encode(height), extraNonce]));
  tx.setWitness(0, [new Uint8Array(32)]);
  tx.addOutput(script, valueSats);
  return tx;
}
