import { sha3 } from '../crypto/provider.ts';
import { CodecError, Reader, Writer } from '../encoding/codec.ts';
import { readEconomyItx, writeEconomyItx } from './economy-codec.ts';
import { COMPONENT_KINDS, PRICE_MODELS, TX_LIMITS } from './limits.ts';
import type { Itx, ItxType, PublishComponentTx, Tx, UnsignedTx } from './types.ts';

/**
 * Transactions in the canonical encoding. Layout (see encoding/codec.ts for primitives):
 *   version u8 | chainId str | from str | publicKey [32] | nonce uint | fee big
 *   | feePayer? | itx tag u8 + fields | signature [64]*
 *   feePayer? = 0 (none) | 1 did str | publicKey [32] | signature [64]*
 *             | 2 did str | publicKey [32] | signature [64]* | index uint* | proof count uint* | proof [32]×count*
 * Fields marked * are left out of the signing bytes, which the sender signs, and a fee payer co-signing alone too; in
 * the signing bytes the fee payer's tag is 1 either way. Tag 2 is batch sponsorship (sponsor.ts): the fee payer's
 * signature is over the root its proof leads to.
 */

export const TX_VERSION = 1;
const SIGNING_DOMAIN = 0x54; // 'T': signing bytes can never be mistaken for a block or another message

/** The one-byte tag of each inner transaction type; new types append, never renumber. */
export const ITX_TAGS: Record<ItxType, number> = {
  declareAccount: 1,
  transfer: 2,
  createToken: 3,
  createAsset: 4,
  updateAsset: 5,
  consumeAsset: 6,
  delegate: 7,
  revokeDelegation: 8,
  deployBlocklet: 9,
  publishComponent: 10,
  transferComponent: 11,
  deprecateVersion: 12,
  reviewComponent: 13,
  replyReview: 14,
  reportAbuse: 15,
  resolveReport: 16,
  recordUsage: 17,
  stake: 18,
  unstake: 19,
  withdrawStake: 20,
  slash: 21,
  openApplication: 22,
  fundApplication: 23,
  withdrawDeposit: 24,
  settle: 25,
  issueToken: 26,
  mintToken: 27,
  burnToken: 28,
  bridgeLock: 29,
  bridgeRelease: 30,
};
const TAG_TYPES = new Map<number, ItxType>(Object.entries(ITX_TAGS).map(([type, tag]) => [tag, type as ItxType]));

/** Thrown when bytes name an inner transaction type this ledger does not know. */
export class UnknownItxTypeError extends Error {
  override name = 'UnknownItxTypeError';
}

function writeItx(w: Writer, itx: Itx): void {
  w.u8(ITX_TAGS[itx.type]);
  switch (itx.type) {
    case 'declareAccount':
      w.string(itx.moniker);
      return;
    case 'transfer':
      w.string(itx.to).big(itx.amount).uint(itx.tokens.length);
      for (const t of itx.tokens) w.string(t.token).big(t.amount);
      w.uint(itx.assets.length);
      for (const a of itx.assets) w.string(a);
      w.string(itx.memo);
      return;
    case 'createToken':
      w.string(itx.symbol).string(itx.name).u8(itx.decimals).big(itx.totalSupply);
      return;
    case 'createAsset':
      w.string(itx.moniker).bytes(itx.data).bool(itx.transferable).bool(itx.readonly);
      return;
    case 'updateAsset':
      w.string(itx.address).string(itx.moniker).bytes(itx.data);
      return;
    case 'consumeAsset':
      w.string(itx.address);
      return;
    case 'delegate':
      w.string(itx.grantee).big(itx.allowance).uint(itx.expiresAtMs);
      return;
    case 'revokeDelegation':
      w.string(itx.grantee);
      return;
    case 'deployBlocklet':
      w.string(itx.name).string(itx.version).fixed(itx.manifestHash, 32).fixed(itx.bundleHash, 32);
      return;
    case 'publishComponent':
      writePublish(w, itx);
      return;
    case 'transferComponent':
      w.string(itx.name).string(itx.to);
      return;
    case 'deprecateVersion':
      w.string(itx.name).string(itx.version).bool(itx.yank).string(itx.reason);
      return;
    case 'reviewComponent':
      w.string(itx.name).u8(itx.stars).fixed(itx.textHash, 32).bool(itx.edit);
      return;
    case 'replyReview':
      w.string(itx.name).string(itx.reviewer).fixed(itx.textHash, 32);
      return;
    case 'reportAbuse':
      w.string(itx.name).string(itx.reviewer).string(itx.reason);
      return;
    case 'resolveReport':
      w.string(itx.report).bool(itx.upheld).string(itx.note);
      return;
    case 'recordUsage':
      w.uint(itx.period).uint(itx.records.length);
      for (const u of itx.records) {
        w.string(u.component).string(u.application).string(u.account).uint(u.installs).uint(u.calls).big(u.paid);
      }
      return;
    default:
      writeEconomyItx(w, itx);
  }
}

function indexOf(list: readonly string[], value: string, what: string): number {
  const i = list.indexOf(value);
  if (i < 0) throw new CodecError(`unknown ${what}: ${value}`);
  return i;
}

function pick<T>(list: readonly T[], index: number, what: string): T {
  const value = list[index];
  if (value === undefined) throw new CodecError(`unknown ${what} ${index}`);
  return value;
}

function writePublish(w: Writer, itx: PublishComponentTx): void {
  w.u8(indexOf(COMPONENT_KINDS, itx.kind, 'component kind'))
    .string(itx.name)
    .string(itx.version)
    .string(itx.description);
  w.fixed(itx.manifestHash, 32).fixed(itx.bundleHash, 32).fixed(itx.readmeHash, 32).string(itx.releaseNotes);
  w.uint(itx.categories.length);
  for (const c of itx.categories) w.string(c);
  w.uint(itx.chains.length);
  for (const c of itx.chains) w.string(c);
  w.u8(indexOf(PRICE_MODELS, itx.price.model, 'price model')).big(itx.price.amount);
  w.uint(itx.beneficiaries.length);
  for (const b of itx.beneficiaries) w.string(b.did).uint(b.shareBps);
}

function readPublish(r: Reader): PublishComponentTx {
  const L = TX_LIMITS;
  const kind = pick(COMPONENT_KINDS, r.u8(), 'component kind');
  const name = r.string(L.blockletNameBytes);
  const version = r.string(L.blockletVersionBytes);
  const description = r.string(L.componentDescriptionBytes);
  const manifestHash = r.fixed(32);
  const bundleHash = r.fixed(32);
  const readmeHash = r.fixed(32);
  const releaseNotes = r.string(L.releaseNotesBytes);
  const categories = Array.from({ length: r.count(L.componentCategoriesMax) }, () => r.string(L.categoryBytes));
  const chains = Array.from({ length: r.count(L.componentChainsMax) }, () => r.string(L.chainNameBytes));
  const model = pick(PRICE_MODELS, r.u8(), 'price model');
  const price = { model, amount: r.big() };
  const beneficiaries = Array.from({ length: r.count(L.beneficiariesMax) }, () => ({ did: r.string(L.didBytes), shareBps: r.uint() }));
  return {
    type: 'publishComponent',
    kind,
    name,
    version,
    description,
    manifestHash,
    bundleHash,
    readmeHash,
    releaseNotes,
    categories,
    chains,
    price,
    beneficiaries,
  };
}

function readItx(r: Reader): Itx {
  const tag = r.u8();
  const type = TAG_TYPES.get(tag);
  const L = TX_LIMITS;
  switch (type) {
    case 'declareAccount':
      return { type, moniker: r.string(L.monikerBytes) };
    case 'transfer': {
      const to = r.string(L.didBytes);
      const amount = r.big();
      const tokens = Array.from({ length: r.count(L.transferTokensMax) }, () => ({
        token: r.string(L.didBytes),
        amount: r.big(),
      }));
      const assets = Array.from({ length: r.count(L.transferAssetsMax) }, () => r.string(L.didBytes));
      return { type, to, amount, tokens, assets, memo: r.string(L.memoBytes) };
    }
    case 'createToken':
      return {
        type,
        symbol: r.string(L.symbolBytes),
        name: r.string(L.tokenNameBytes),
        decimals: r.u8(),
        totalSupply: r.big(),
      };
    case 'createAsset':
      return {
        type,
        moniker: r.string(L.monikerBytes),
        data: r.bytes(L.assetDataBytes),
        transferable: r.bool(),
        readonly: r.bool(),
      };
    case 'updateAsset':
      return { type, address: r.string(L.didBytes), moniker: r.string(L.monikerBytes), data: r.bytes(L.assetDataBytes) };
    case 'consumeAsset':
      return { type, address: r.string(L.didBytes) };
    case 'delegate':
      return { type, grantee: r.string(L.didBytes), allowance: r.big(), expiresAtMs: r.uint() };
    case 'revokeDelegation':
      return { type, grantee: r.string(L.didBytes) };
    case 'deployBlocklet':
      return {
        type,
        name: r.string(L.blockletNameBytes),
        version: r.string(L.blockletVersionBytes),
        manifestHash: r.fixed(32),
        bundleHash: r.fixed(32),
      };
    case 'publishComponent':
      return readPublish(r);
    case 'transferComponent':
      return { type, name: r.string(L.blockletNameBytes), to: r.string(L.didBytes) };
    case 'deprecateVersion':
      return {
        type,
        name: r.string(L.blockletNameBytes),
        version: r.string(L.blockletVersionBytes),
        yank: r.bool(),
        reason: r.string(L.reasonBytes),
      };
    case 'reviewComponent':
      return { type, name: r.string(L.blockletNameBytes), stars: r.u8(), textHash: r.fixed(32), edit: r.bool() };
    case 'replyReview':
      return { type, name: r.string(L.blockletNameBytes), reviewer: r.string(L.didBytes), textHash: r.fixed(32) };
    case 'reportAbuse':
      return { type, name: r.string(L.blockletNameBytes), reviewer: r.string(L.didBytes), reason: r.string(L.reasonBytes) };
    case 'resolveReport':
      return { type, report: r.string(L.reportIdBytes), upheld: r.bool(), note: r.string(L.reasonBytes) };
    case 'recordUsage': {
      const period = r.uint();
      const records = Array.from({ length: r.count(L.usageRecordsMax) }, () => ({
        component: r.string(L.blockletNameBytes),
        application: r.string(L.didBytes),
        account: r.string(L.didBytes),
        installs: r.uint(),
        calls: r.uint(),
        paid: r.big(),
      }));
      return { type, period, records };
    }
    case undefined:
      throw new UnknownItxTypeError(`unknown inner transaction type ${tag}`);
    default:
      return readEconomyItx(r, type);
  }
}

function writeEnvelope(w: Writer, tx: UnsignedTx | Tx, withSignatures: boolean): void {
  w.u8(TX_VERSION).string(tx.chainId).string(tx.from).fixed(tx.publicKey, 32).uint(tx.nonce).big(tx.fee);
  if (tx.feePayer === null) {
    w.u8(0);
  } else {
    const batch = withSignatures ? (tx as Tx).feePayer?.batch : undefined;
    w.u8(batch ? 2 : 1)
      .string(tx.feePayer.did)
      .fixed(tx.feePayer.publicKey, 32);
    if (withSignatures) w.fixed((tx as Tx).feePayer?.signature ?? new Uint8Array(), 64);
    if (batch) {
      w.uint(batch.index).uint(batch.proof.length);
      for (const sibling of batch.proof) w.fixed(sibling, 32);
    }
  }
  writeItx(w, tx.itx);
  if (withSignatures) w.fixed((tx as Tx).signature, 64);
}

/** The bytes the sender and the fee payer sign. */
export function txSigningBytes(tx: UnsignedTx | Tx): Uint8Array {
  const w = new Writer().u8(SIGNING_DOMAIN);
  writeEnvelope(w, tx, false);
  return w.finish();
}

/** The canonical encoding of a signed transaction. */
export function encodeTx(tx: Tx): Uint8Array {
  const w = new Writer();
  writeEnvelope(w, tx, true);
  return w.finish();
}

/** Decodes a signed transaction; throws CodecError or UnknownItxTypeError on bytes that are not one. */
export function decodeTx(bytes: Uint8Array): Tx {
  return decodeTxWithSigningBytes(bytes).tx;
}

/**
 * Decodes a signed transaction and cuts its signing bytes out of the same input (the encoding
 * without the two signatures), which is what a verifier needs, without encoding it again.
 */
export function decodeTxWithSigningBytes(bytes: Uint8Array): { tx: Tx; signingBytes: Uint8Array } {
  const r = new Reader(bytes);
  const version = r.u8();
  if (version !== TX_VERSION) throw new UnknownItxTypeError(`unknown transaction version ${version}`);
  const chainId = r.string(TX_LIMITS.chainIdBytes);
  const from = r.string(TX_LIMITS.didBytes);
  const publicKey = r.fixed(32);
  const nonce = r.uint();
  const fee = r.big();
  const payerTagAt = r.pos;
  const payerTag = r.u8();
  if (payerTag > 2) throw new CodecError(`fee payer tag must be 0, 1 or 2, got ${payerTag}`);
  // The fee payer's signature (and batch proof) [from, to): cut out of the signing bytes.
  const payerSeal = { from: -1, to: -1 };
  let feePayer: Tx['feePayer'] = null;
  if (payerTag !== 0) {
    const did = r.string(TX_LIMITS.didBytes);
    const payerKey = r.fixed(32);
    payerSeal.from = r.pos;
    feePayer = { did, publicKey: payerKey, signature: r.fixed(64) };
    if (payerTag === 2) {
      const index = r.uint();
      // One copy for all the siblings, viewed 32 bytes at a time: a buffer each would be garbage per level.
      const levels = r.count(TX_LIMITS.sponsorDepthMax);
      const siblings = r.fixed(32 * levels);
      const proof = Array.from({ length: levels }, (_, level) => siblings.subarray(32 * level, 32 * level + 32));
      feePayer.batch = { index, proof };
    }
    payerSeal.to = r.pos;
  }
  const itx = readItx(r);
  const signatureAt = r.pos;
  const signature = r.fixed(64);
  r.end();
  const tx = { chainId, from, publicKey, nonce, fee, feePayer, itx, signature };
  return { tx, signingBytes: cutSigningBytes(bytes, payerTagAt, payerSeal, signatureAt) };
}

function cutSigningBytes(bytes: Uint8Array, payerTagAt: number, payerSeal: { from: number; to: number }, signatureAt: number): Uint8Array {
  const out = new Uint8Array(1 + signatureAt - (payerSeal.from < 0 ? 0 : payerSeal.to - payerSeal.from));
  out[0] = SIGNING_DOMAIN;
  if (payerSeal.from < 0) {
    out.set(bytes.subarray(0, signatureAt), 1);
  } else {
    out.set(bytes.subarray(0, payerSeal.from), 1);
    out.set(bytes.subarray(payerSeal.to, signatureAt), 1 + payerSeal.from);
    // A batch-sponsored transaction's sender signed the same bytes as a singly co-signed one's.
    out[1 + payerTagAt] = 1;
  }
  return out;
}

/** The transaction hash: SHA3-256 of its canonical encoding. */
export function txHash(encoded: Uint8Array): Uint8Array {
  return sha3(encoded);
}
