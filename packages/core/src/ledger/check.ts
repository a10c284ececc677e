import { verifySignature } from '../crypto/provider.ts';
import { didMatchesPublicKey, isValidDid } from '../did/did.ts';
import { CodecError } from '../encoding/codec.ts';
import { nodeKey } from '../merkle/node.ts';
import { LedgerError, ledgerError } from './errors.ts';
import { BLOCKLET_NAME, SEMVER, TOKEN_SYMBOL, TX_LIMITS } from './limits.ts';
import { decodeTxWithSigningBytes, txHash, UnknownItxTypeError } from './tx-codec.ts';
import type { ChainParams, Itx, Tx } from './types.ts';

/** A transaction that decoded and passed every check that needs no state. */
export interface CheckedTx {
  tx: Tx;
  bytes: Uint8Array;
  hash: Uint8Array;
  hashHex: string;
  signingBytes: Uint8Array;
}

export interface CheckContext {
  chainId: string;
  params: ChainParams;
}

/**
 * DID answers remembered per process: the same senders and recipients recur in transaction after transaction, and
 * each answer costs base58 and a hash. Both functions are pure, so a remembered answer is the answer; bounded (a
 * full table starts over).
 */
const DID_MEMO_ENTRIES_MAX = 50_000;
/** Longer strings (no real DID is) are answered without being remembered, so the tables stay small. */
const DID_MEMO_CHARS_MAX = 80;
const validDids = new Map<string, boolean>();
const didKeyMatches = new Map<string, boolean>();

function remembered(memo: Map<string, boolean>, did: string, key: string, compute: () => boolean): boolean {
  if (did.length > DID_MEMO_CHARS_MAX) return compute();
  let answer = memo.get(key);
  if (answer === undefined) {
    answer = compute();
    if (memo.size >= DID_MEMO_ENTRIES_MAX) memo.clear();
    memo.set(key, answer);
  }
  return answer;
}

function validDid(did: string): boolean {
  return remembered(validDids, did, did, () => isValidDid(did));
}

function didOfKey(did: string, publicKey: Uint8Array): boolean {
  return remembered(didKeyMatches, did, `${did}/${nodeKey(publicKey)}`, () => didMatchesPublicKey(did, publicKey));
}

function didField(did: string, field: string): LedgerError | null {
  return validDid(did) ? null : ledgerError('INVALID_DID', `${field} is not a valid did:abt: identifier (${did.slice(0, 64)})`);
}

function unique(values: string[]): boolean {
  return new Set(values).size === values.length;
}

/** Field rules of each inner transaction that hold whatever the state is. */
export function validateItx(itx: Itx): LedgerError | null {
  switch (itx.type) {
    case 'declareAccount':
      return null;
    case 'transfer': {
      const bad = didField(itx.to, 'to') ?? itx.tokens.map((t) => didField(t.token, 'token')).find((e) => e) ?? null;
      if (bad) return bad;
      const badAsset = itx.assets.map((a) => didField(a, 'asset')).find((e) => e);
      if (badAsset) return badAsset;
      if (itx.amount === 0n && itx.tokens.length === 0 && itx.assets.length === 0) {
        return ledgerError('INVALID_TX', 'a transfer must move an amount, a token or an asset');
      }
      if (itx.tokens.some((t) => t.amount === 0n)) return ledgerError('INVALID_TX', 'a token amount in a transfer must be above 0');
      if (!unique(itx.tokens.map((t) => t.token)))
        return ledgerError('INVALID_TX', 'a token appears twice in one transfer; add the amounts');
      if (!unique(itx.assets)) return ledgerError('INVALID_TX', 'an asset appears twice in one transfer');
      return null;
    }
    case 'createToken':
      if (!TOKEN_SYMBOL.test(itx.symbol)) {
        return ledgerError('INVALID_TX', 'a token symbol is 2 to 16 characters: A-Z first, then A-Z or 0-9');
      }
      if (itx.name.trim() === '') return ledgerError('INVALID_TX', 'a token needs a name');
      if (itx.decimals > TX_LIMITS.tokenDecimalsMax) {
        return ledgerError('INVALID_TX', `token decimals are at most ${TX_LIMITS.tokenDecimalsMax}`);
      }
      if (itx.totalSupply === 0n) return ledgerError('INVALID_TX', 'a token supply must be above 0');
      return null;
    case 'createAsset':
      return null;
    case 'updateAsset':
    case 'consumeAsset':
      return didField(itx.address, 'address');
    case 'delegate':
      if (itx.allowance === 0n) return ledgerError('INVALID_TX', 'a fee grant allowance must be above 0');
      return didField(itx.grantee, 'grantee');
    case 'revokeDelegation':
      return didField(itx.grantee, 'grantee');
    case 'deployBlocklet':
      if (!BLOCKLET_NAME.test(itx.name)) {
        return ledgerError('INVALID_TX', 'a blocklet name is 2 to 64 lower-case letters, digits or dashes, starting with a letter');
      }
      if (!SEMVER.test(itx.version)) return ledgerError('INVALID_TX', `"${itx.version}" is not a semantic version such as 1.2.3`);
      return null;
  }
}

/**
 * Decodes and checks a transaction without state and without its signatures (those are the
 * expensive part, which the node spreads over threads with checkSignatures).
 */
export function checkTxStatic(bytes: Uint8Array, ctx: CheckContext): CheckedTx | LedgerError {
  if (bytes.length > ctx.params.maxTxBytes) {
    return ledgerError('TX_TOO_LARGE', `the transaction is ${bytes.length} bytes; this chain takes at most ${ctx.params.maxTxBytes}`);
  }
  let tx: Tx;
  let signingBytes: Uint8Array;
  try {
    ({ tx, signingBytes } = decodeTxWithSigningBytes(bytes));
  } catch (error) {
    if (error instanceof UnknownItxTypeError)
      return ledgerError('UNKNOWN_TX_TYPE', `${error.message}; upgrade the client or fix the encoder`);
    if (error instanceof CodecError) return ledgerError('MALFORMED_TX', `the bytes are not a canonical transaction: ${error.message}`);
    throw error;
  }
  if (tx.chainId !== ctx.chainId) {
    return ledgerError('WRONG_CHAIN', `the transaction is for chain "${tx.chainId}", this is "${ctx.chainId}"`);
  }
  const badFrom = didField(tx.from, 'from');
  if (badFrom) return badFrom;
  if (!didOfKey(tx.from, tx.publicKey)) return ledgerError('INVALID_DID', 'from is not the DID of the public key');
  if (tx.nonce < 1) return ledgerError('INVALID_TX', 'nonces start at 1');
  if (tx.fee < ctx.params.minFee) return ledgerError('FEE_TOO_LOW', `the fee must be at least ${ctx.params.minFee}`);
  if (tx.feePayer !== null) {
    if (tx.feePayer.did === tx.from) return ledgerError('INVALID_TX', 'a sender cannot be its own fee payer; leave feePayer empty');
    const badPayer = didField(tx.feePayer.did, 'feePayer');
    if (badPayer) return badPayer;
    if (!didOfKey(tx.feePayer.did, tx.feePayer.publicKey)) {
      return ledgerError('INVALID_DID', 'feePayer is not the DID of its public key');
    }
  }
  const badItx = validateItx(tx.itx);
  if (badItx) return badItx;
  const hash = txHash(bytes);
  return { tx, bytes, hash, hashHex: nodeKey(hash), signingBytes };
}

/** Verifies the sender's (and fee payer's) signature over the signing bytes. */
export function checkSignatures(checked: CheckedTx): LedgerError | null {
  const { tx, signingBytes } = checked;
  if (!verifySignature(tx.publicKey, signingBytes, tx.signature)) {
    return ledgerError('INVALID_SIGNATURE', "the sender's signature does not verify against its public key");
  }
  if (tx.feePayer !== null && !verifySignature(tx.feePayer.publicKey, signingBytes, tx.feePayer.signature)) {
    return ledgerError('INVALID_SIGNATURE', "the fee payer's signature does not verify against its public key");
  }
  return null;
}

/** Every stateless check, signatures included. */
export function checkTx(bytes: Uint8Array, ctx: CheckContext): CheckedTx | LedgerError {
  const checked = checkTxStatic(bytes, ctx);
  if (checked instanceof LedgerError) return checked;
  return checkSignatures(checked) ?? checked;
}
