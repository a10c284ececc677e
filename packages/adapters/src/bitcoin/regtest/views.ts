import * as bitcoin from 'bitcoinjs-lib';
import { type RegtestChain, type StoredBlock, txidOf } from './chain.ts';
import { scriptAddress, scriptType } from './scripts.ts';

/** The JSON shapes Bitcoin Core answers with (decoderawtransaction, getblock, getblockheader), as far as the regtest chain fills them. */

const SATS_PER_BTC = 100_000_000;

/** Satoshis as a JSON BTC amount, the unit Bitcoin Core's RPC speaks. */
export function btcAmount(sats: bigint): number {
  return Number(sats) / SATS_PER_BTC;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function asm(script: Uint8Array): string {
  try {
    return bitcoin.script.toASM(script);
  } catch {
    // Coinbase scriptSigs and nonstandard scripts may not decompile; Core prints what it can, we print nothing.
    return '';
  }
}

/** An output script as decoderawtransaction shows it. */
export function scriptPubKeyView(script: Uint8Array, network: bitcoin.Network) {
  const address = scriptAddress(script, network);
  return { asm: asm(script), hex: hex(script), ...(address === undefined ? {} : { address }), type: scriptType(script) };
}

/** A transaction as decoderawtransaction / getrawtransaction(verbose) show it. */
export function txView(tx: bitcoin.Transaction, network: bitcoin.Network) {
  return {
    txid: tx.getId(),
    hash: Buffer.from(tx.getHash(true)).reverse().toString('hex'),
    version: tx.version,
    size: tx.byteLength(),
    vsize: tx.virtualSize(),
    weight: tx.weight(),
    locktime: tx.locktime,
    vin: tx.ins.map((input) => {
      const witness = input.witness.length > 0 ? { txinwitness: input.witness.map(hex) } : {};
      if (tx.isCoinbase()) return { coinbase: hex(input.script), ...witness, sequence: input.sequence };
      return {
        txid: txidOf(input.hash),
        vout: input.index,
        scriptSig: { asm: asm(input.script), hex: hex(input.script) },
        ...witness,
        sequence: input.sequence,
      };
    }),
    vout: tx.outs.map((output, n) => ({ value: btcAmount(output.value), n, scriptPubKey: scriptPubKeyView(output.script, network) })),
  };
}

/** A block header as getblockheader(verbose) shows it. */
export function headerView(chain: RegtestChain, stored: StoredBlock) {
  const { block } = stored;
  const next = chain.isActive(stored) ? chain.blockAt(stored.height + 1) : undefined;
  return {
    hash: stored.hash,
    confirmations: chain.confirmations(stored),
    height: stored.height,
    version: block.version,
    versionHex: block.version.toString(16).padStart(8, '0'),
    merkleroot: Buffer.from(block.merkleRoot as Uint8Array)
      .reverse()
      .toString('hex'),
    time: block.timestamp,
    mediantime: chain.medianTimePast(stored),
    nonce: block.nonce,
    bits: block.bits.toString(16).padStart(8, '0'),
    // No proof of work: every block counts as the minimum regtest work.
    difficulty: 4.656542373906925e-10,
    chainwork: (stored.height + 1).toString(16).padStart(64, '0'),
    nTx: stored.txs.length,
    ...(stored.height > 0 ? { previousblockhash: stored.parentHash } : {}),
    ...(next ? { nextblockhash: next.hash } : {}),
  };
}

/** A block as getblock shows it at verbosity 1 (txids) or 2 (decoded transactions with fees). */
export function blockView(chain: RegtestChain, stored: StoredBlock, verbosity: 1 | 2) {
  const { block } = stored;
  const tx =
    verbosity === 1
      ? stored.txids
      : stored.txs.map((t, index) => ({
          ...txView(t, chain.network),
          ...(index > 0 ? { fee: btcAmount(chain.blockTxFee(stored, index)) } : {}),
          hex: t.toHex(),
        }));
  return {
    ...headerView(chain, stored),
    strippedsize: block.byteLength(false, false),
    size: block.byteLength(false, true),
    weight: block.weight(),
    tx,
  };
}
