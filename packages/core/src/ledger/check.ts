import { bytesEqual, utf8 } from '../bytes.ts';
import { verifySignature } from '../crypto/provider.ts';
import { didMatchesPublicKey, isValidDid } from '../did/did.ts';
import { CodecError } from '../encoding/codec.ts';
import { nodeKey } from '../merkle/node.ts';
import { validateEconomyItx } from './economy-check.ts';
import { LedgerError, ledgerError } from './errors.ts';
import { BLOCKLET_NAME, MARKET_SLUG, SEMVER, SHARE_BPS_TOTAL, TOKEN_SYMBOL, TX_LIMITS } from './limits.ts';
import { sponsorMessage, sponsorProofProblem, sponsorRoot } from './sponsor.ts';
import { decodeTxWithSigningBytes, txHash, UnknownItxTypeError } from './tx-codec.ts';
import type { ChainParams, Itx, PublishComponentTx, RecordUsageTx, Tx } from './types.ts';

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
/** DIDs whose public key was found to match, with that key (a DID matches one key: no other answer to keep). */
const didKeys = new Map<string, Uint8Array>();

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
  const known = didKeys.get(did);
  if (known !== undefined && bytesEqual(known, publicKey)) return true;
  const matches = didMatchesPublicKey(did, publicKey);
  if (matches && did.length <= DID_MEMO_CHARS_MAX) {
    if (didKeys.size >= DID_MEMO_ENTRIES_MAX) didKeys.clear();
    didKeys.set(did, publicKey.slice());
  }
  return matches;
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
    case 'publishComponent':
      return validatePublish(itx);
    case 'transferComponent':
      return componentName(itx.name) ?? didField(itx.to, 'to');
    case 'deprecateVersion':
      return componentName(itx.name) ?? semver(itx.version) ?? text(itx.reason, 'a reason', TX_LIMITS.reasonBytes);
    case 'reviewComponent':
      if (!Number.isInteger(itx.stars) || itx.stars < 1 || itx.stars > 5) {
        return ledgerError('INVALID_TX', `a review gives 1 to 5 stars, not ${itx.stars}`);
      }
      return componentName(itx.name);
    case 'replyReview':
      return componentName(itx.name) ?? didField(itx.reviewer, 'reviewer');
    case 'reportAbuse':
      return (
        componentName(itx.name) ??
        (itx.reviewer === '' ? null : didField(itx.reviewer, 'reviewer')) ??
        text(itx.reason, 'a reason', TX_LIMITS.reasonBytes)
      );
    case 'resolveReport':
      if (!/^[0-9a-f]{64}$/.test(itx.report)) {
        return ledgerError('INVALID_TX', 'a report id is the 64 lower-case hex digits of the reportAbuse transaction hash');
      }
      if (utf8(itx.note).length > TX_LIMITS.reasonBytes) {
        return ledgerError('INVALID_TX', `a note is at most ${TX_LIMITS.reasonBytes} bytes`);
      }
      return null;
    case 'recordUsage':
      return validateUsage(itx);
    default:
      return validateEconomyItx(itx);
  }
}

function componentName(name: string): LedgerError | null {
  if (BLOCKLET_NAME.test(name)) return null;
  return ledgerError('INVALID_TX', 'a component name is 2 to 64 lower-case letters, digits or dashes, starting with a letter');
}

function semver(version: string): LedgerError | null {
  return SEMVER.test(version) ? null : ledgerError('INVALID_TX', `"${version.slice(0, 64)}" is not a semantic version such as 1.2.3`);
}

/** A non-empty text of at most `maxBytes` UTF-8 bytes. */
function text(value: string, what: string, maxBytes: number): LedgerError | null {
  if (value.trim() === '') return ledgerError('INVALID_TX', `${what} must not be empty`);
  const bytes = utf8(value).length;
  if (bytes > maxBytes) return ledgerError('INVALID_TX', `${what} is ${bytes} bytes; at most ${maxBytes}`);
  return null;
}

function slugs(values: string[], what: string, min: number, max: number): LedgerError | null {
  if (values.length < min || values.length > max) return ledgerError('INVALID_TX', `a component has ${min} to ${max} ${what}`);
  const bad = values.find((v) => !MARKET_SLUG.test(v));
  if (bad !== undefined) {
    return ledgerError('INVALID_TX', `"${bad.slice(0, 32)}" is not a valid ${what} entry: 2 to 32 lower-case letters, digits or dashes`);
  }
  if (!unique(values)) return ledgerError('INVALID_TX', `an entry of ${what} appears twice`);
  return null;
}

function validatePublish(itx: PublishComponentTx): LedgerError | null {
  const L = TX_LIMITS;
  const bad =
    componentName(itx.name) ??
    semver(itx.version) ??
    text(itx.description, 'a description', L.componentDescriptionBytes) ??
    slugs(itx.categories, 'categories', 1, L.componentCategoriesMax) ??
    slugs(itx.chains, 'chains', 0, L.componentChainsMax);
  if (bad) return bad;
  const notes = utf8(itx.releaseNotes).length;
  if (notes > L.releaseNotesBytes) return ledgerError('INVALID_TX', `release notes are ${notes} bytes; at most ${L.releaseNotesBytes}`);
  if ((itx.price.model === 'free') !== (itx.price.amount === 0n)) {
    return ledgerError('INVALID_TX', 'a free component has price 0 and a paid one a price above 0');
  }
  for (const hash of [itx.manifestHash, itx.bundleHash, itx.readmeHash]) {
    if (hash.length !== 32) return ledgerError('INVALID_TX', 'a hash is 32 bytes (sha-256)');
  }
  const shares = itx.beneficiaries;
  if (shares.length < 1 || shares.length > L.beneficiariesMax) {
    return ledgerError('INVALID_TX', `a component has 1 to ${L.beneficiariesMax} beneficiaries`);
  }
  const badDid = shares.map((b) => didField(b.did, 'a beneficiary')).find((e) => e);
  if (badDid) return badDid;
  if (!unique(shares.map((b) => b.did))) return ledgerError('INVALID_TX', 'a beneficiary appears twice; add the shares');
  if (shares.some((b) => !Number.isSafeInteger(b.shareBps) || b.shareBps < 1)) {
    return ledgerError('INVALID_TX', 'each beneficiary has a share of at least 1 basis point');
  }
  const total = shares.reduce((sum, b) => sum + b.shareBps, 0);
  if (total !== SHARE_BPS_TOTAL) {
    return ledgerError('INVALID_TX', `the shares add up to ${total} basis points; they must add up to 10,000`);
  }
  return null;
}

function validateUsage(itx: RecordUsageTx): LedgerError | null {
  const max = TX_LIMITS.usageRecordsMax;
  if (itx.records.length < 1 || itx.records.length > max) return ledgerError('INVALID_TX', `a usage record holds 1 to ${max} records`);
  if (!Number.isSafeInteger(itx.period) || itx.period < 0) return ledgerError('INVALID_TX', 'a period is a UTC day number');
  for (const r of itx.records) {
    const bad = componentName(r.component) ?? didField(r.application, 'application') ?? didField(r.account, 'account');
    if (bad) return bad;
    if (![r.installs, r.calls].every((n) => Number.isSafeInteger(n) && n >= 0)) {
      return ledgerError('INVALID_TX', 'installs and calls are whole numbers, 0 or more');
    }
    if (r.paid < 0n) return ledgerError('INVALID_TX', 'a paid amount is 0 or more');
  }
  return null;
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
    const badProof = tx.feePayer.batch && sponsorProofProblem(tx.feePayer.batch);
    if (badProof) return ledgerError('INVALID_TX', badProof);
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
  if (tx.feePayer !== null && !verifySignature(tx.feePayer.publicKey, feePayerMessage(checked), tx.feePayer.signature)) {
    return ledgerError('INVALID_SIGNATURE', "the fee payer's signature does not verify against its public key");
  }
  return null;
}

/** What the fee payer signed: the signing bytes, or for batch sponsorship the root its proof leads to. */
export function feePayerMessage(checked: CheckedTx): Uint8Array {
  const batch = checked.tx.feePayer?.batch;
  return batch ? sponsorMessage(checked.tx.chainId, sponsorRoot(checked.signingBytes, batch)) : checked.signingBytes;
}

/** Every stateless check, signatures included. */
export function checkTx(bytes: Uint8Array, ctx: CheckContext): CheckedTx | LedgerError {
  const checked = checkTxStatic(bytes, ctx);
  if (checked instanceof LedgerError) return checked;
  return checkSignatures(checked) ?? checked;
}
