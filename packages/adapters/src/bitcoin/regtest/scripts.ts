import * as ecc from '@bitcoinerlab/secp256k1';
import * as bitcoin from 'bitcoinjs-lib';
import { bitcoinEcc } from '../keys.ts';

/** What the regtest chain knows about an output it spends: its locking script and value. */
export interface SpentOutput {
  script: Uint8Array;
  value: bigint;
}

/** Bitcoin Core's names for output script types (decoderawtransaction's `scriptPubKey.type`). */
export type ScriptType =
  | 'witness_v0_keyhash'
  | 'witness_v0_scripthash'
  | 'witness_v1_taproot'
  | 'pubkeyhash'
  | 'scripthash'
  | 'nulldata'
  | 'nonstandard';

const OP_RETURN = 0x6a;

/** Classifies an output script the way Bitcoin Core's decoder does (for the types the regtest chain meets). */
export function scriptType(script: Uint8Array): ScriptType {
  if (script.length === 22 && script[0] === 0x00 && script[1] === 0x14) return 'witness_v0_keyhash';
  if (script.length === 34 && script[0] === 0x00 && script[1] === 0x20) return 'witness_v0_scripthash';
  if (script.length === 34 && script[0] === 0x51 && script[1] === 0x20) return 'witness_v1_taproot';
  if (
    script.length === 25 &&
    script[0] === 0x76 &&
    script[1] === 0xa9 &&
    script[2] === 0x14 &&
    script[23] === 0x88 &&
    script[24] === 0xac
  ) {
    return 'pubkeyhash';
  }
  if (script.length === 23 && script[0] === 0xa9 && script[1] === 0x14 && script[22] === 0x87) return 'scripthash';
  if (script.length > 0 && script[0] === OP_RETURN) return 'nulldata';
  return 'nonstandard';
}

/** The address an output pays, or undefined for scripts without one (OP_RETURN, nonstandard). */
export function scriptAddress(script: Uint8Array, network: bitcoin.Network): string | undefined {
  const type = scriptType(script);
  if (type === 'nulldata' || type === 'nonstandard') return undefined;
  bitcoinEcc(); // a taproot output's address needs bitcoinjs's secp256k1 library
  return bitcoin.address.fromOutputScript(script, network);
}

/** True for outputs that can never be spent, which therefore never enter the UTXO set. */
export function isUnspendable(script: Uint8Array): boolean {
  return script.length > 0 && script[0] === OP_RETURN;
}

// Bitcoin Core's dust rule: an output is dust when spending it would cost more than its value at 3 sat/vB.
const DUST_RELAY_SAT_PER_KVB = 3000n;
const WITNESS_SPEND_BYTES = 32 + 4 + 1 + Math.floor(107 / 4) + 4;
const LEGACY_SPEND_BYTES = 32 + 4 + 1 + 107 + 4;

/** The smallest value Bitcoin Core relays for an output with this script (GetDustThreshold). */
export function dustThresholdSats(script: Uint8Array): bigint {
  if (isUnspendable(script)) return 0n;
  const outputBytes = 8 + compactSizeBytes(script.length) + script.length;
  const isWitness =
    script.length >= 4 && script.length <= 42 && (script[0] === 0x00 || (script[0] ?? 0) >= 0x51) && script[1] === script.length - 2;
  const spendBytes = isWitness ? WITNESS_SPEND_BYTES : LEGACY_SPEND_BYTES;
  return (BigInt(outputBytes + spendBytes) * DUST_RELAY_SAT_PER_KVB) / 1000n;
}

function compactSizeBytes(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : 5;
}

/** A script failure in Bitcoin Core's words (the text after "mandatory-script-verify-flag-failed"). */
export class ScriptFailure extends Error {}

/**
 * Verifies input `index` of `tx` against the output it spends. P2WPKH (BIP143 sighash) and P2PKH (legacy
 * sighash) are checked in full: the key must hash to the output's key hash and the DER signature must verify
 * for the signed hash type. Other output types are refused: this chain does not run a script interpreter.
 */
export function verifyInput(tx: bitcoin.Transaction, index: number, spent: SpentOutput): void {
  const input = tx.ins[index];
  if (!input) throw new ScriptFailure(`no input ${index}`);
  const type = scriptType(spent.script);
  if (type === 'witness_v0_keyhash') {
    if (input.script.length > 0) throw new ScriptFailure('Witness requires empty scriptSig');
    if (input.witness.length !== 2) throw new ScriptFailure('Witness program mismatch');
    const [signature, pubkey] = input.witness as [Uint8Array, Uint8Array];
    if (pubkey.length !== 33 || !ecc.isPoint(pubkey)) throw new ScriptFailure('Using non-compressed keys in segwit');
    const program = spent.script.subarray(2);
    if (!equalBytes(bitcoin.crypto.hash160(pubkey), program)) throw new ScriptFailure('Script failed an OP_EQUALVERIFY operation');
    const { signature: compact, hashType } = decodeSignature(signature);
    const scriptCode = bitcoin.payments.p2pkh({ hash: program }).output as Uint8Array;
    const hash = tx.hashForWitnessV0(index, scriptCode, spent.value, hashType);
    checkSignature(hash, pubkey, compact);
    return;
  }
  if (type === 'pubkeyhash') {
    if (input.witness.length > 0) throw new ScriptFailure('Witness provided for non-witness script');
    const chunks = bitcoin.script.decompile(input.script);
    if (chunks?.length !== 2 || !(chunks[0] instanceof Uint8Array) || !(chunks[1] instanceof Uint8Array)) {
      throw new ScriptFailure('Operation not valid with the current stack size');
    }
    const [signature, pubkey] = chunks as [Uint8Array, Uint8Array];
    if (!ecc.isPoint(pubkey)) throw new ScriptFailure('Public key is neither compressed or uncompressed');
    if (!equalBytes(bitcoin.crypto.hash160(pubkey), spent.script.subarray(3, 23)))
      throw new ScriptFailure('Script failed an OP_EQUALVERIFY operation');
    const { signature: compact, hashType } = decodeSignature(signature);
    checkSignature(tx.hashForSignature(index, spent.script, hashType), pubkey, compact);
    return;
  }
  throw new ScriptFailure(`spending ${type} outputs is not supported by this regtest chain`);
}

function decodeSignature(encoded: Uint8Array): { signature: Uint8Array; hashType: number } {
  try {
    return bitcoin.script.signature.decode(encoded);
  } catch (error) {
    throw new ScriptFailure(`Non-canonical DER signature (${(error as Error).message})`);
  }
}

function checkSignature(hash: Uint8Array, pubkey: Uint8Array, compact: Uint8Array): void {
  // Bitcoin Core's standardness requires low-S signatures; `strict` makes the check refuse high S.
  if (!ecc.verify(hash, pubkey, compact, true)) throw new ScriptFailure('Signature must be zero for failed CHECK(MULTI)SIG operation');
}

/** Byte-wise equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
