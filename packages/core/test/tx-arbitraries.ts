/** fast-check arbitraries of well-formed transactions: every field within its TX_LIMITS bound. */
import fc from 'fast-check';
import {
  type Approval,
  BILL_LINE_KINDS,
  type BillLine,
  BLOCK_VERSION_CONSENSUS,
  type BlockHeader,
  COMPONENT_KINDS,
  DidRole,
  type DidRoleName,
  deriveDid,
  ECONOMY_LIMITS,
  encodeHeader,
  type Itx,
  PRICE_MODELS,
  TOKEN_POLICIES,
  TX_LIMITS,
  type Tx,
  toHex,
} from '../src/index.ts';

const MAX_AMOUNT = (1n << 256n) - 1n;

/** A string of at most `bytes` UTF-8 bytes: short strings of any code point, or ASCII up to the limit. */
export function stringWithin(bytes: number): fc.Arbitrary<string> {
  return fc.oneof(fc.string({ unit: 'binary', maxLength: Math.floor(bytes / 4) }), fc.string({ unit: 'grapheme-ascii', maxLength: bytes }));
}

export const amountArb = fc.oneof(fc.bigInt({ min: 0n, max: 1_000_000n }), fc.bigInt({ min: 0n, max: MAX_AMOUNT }));
export const positiveAmountArb = amountArb.map((a) => (a === 0n ? 1n : a));
export const bytes32Arb = fc.uint8Array({ minLength: 32, maxLength: 32 });
export const signatureArb = fc.uint8Array({ minLength: 64, maxLength: 64 });

/** A valid DID of any role (derived from random bytes, so no key pairs are computed). */
export const didArb = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.constantFrom(...(Object.keys(DidRole) as DidRoleName[])))
  .map(([input, role]) => deriveDid(input, role));

const L = TX_LIMITS;
const E = ECONOMY_LIMITS;
const nameArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
const versionArb = fc.tuple(fc.nat(999), fc.nat(999), fc.nat(999)).map(([a, b, c]) => `${a}.${b}.${c}`);
const slugArb = fc.stringMatching(/^[a-z][a-z0-9-]{1,31}$/);

const approvalsArb: fc.Arbitrary<Approval[]> = fc.array(fc.record({ did: didArb, publicKey: bytes32Arb, signature: signatureArb }), {
  maxLength: E.approvalsMax,
});

const billLineArb: fc.Arbitrary<BillLine> = fc
  .constantFrom(...BILL_LINE_KINDS)
  .chain((kind) => fc.record({ kind: fc.constant(kind), payee: kind === 'component' ? nameArb : didArb, amount: amountArb }));

/** The token economy's inner transactions (economy-types.ts), within ECONOMY_LIMITS. */
const economyItxArbs = {
  stake: fc.record({ type: fc.constant('stake'), amount: amountArb }),
  unstake: fc.record({ type: fc.constant('unstake'), amount: amountArb }),
  withdrawStake: fc.record({ type: fc.constant('withdrawStake') }),
  slash: fc.record({
    type: fc.constant('slash'),
    offender: didArb,
    amount: amountArb,
    evidenceHash: bytes32Arb,
    reason: stringWithin(E.slashReasonBytes),
    approvals: approvalsArb,
  }),
  openApplication: fc.record({
    type: fc.constant('openApplication'),
    application: didArb,
    applicationKey: bytes32Arb,
    applicationSignature: signatureArb,
    deposit: amountArb,
  }),
  fundApplication: fc.record({ type: fc.constant('fundApplication'), application: didArb, amount: amountArb }),
  withdrawDeposit: fc.record({ type: fc.constant('withdrawDeposit'), application: didArb, amount: amountArb }),
  settle: fc.record({
    type: fc.constant('settle'),
    period: fc.maxSafeNat(),
    bills: fc.array(fc.record({ application: didArb, lines: fc.array(billLineArb, { maxLength: E.billLinesMax }) }), {
      maxLength: E.billsMax,
    }),
  }),
  issueToken: fc.record({
    type: fc.constant('issueToken'),
    symbol: fc.stringMatching(/^[A-Z][A-Z0-9]{1,15}$/),
    name: stringWithin(L.tokenNameBytes),
    decimals: fc.integer({ min: 0, max: 255 }),
    initialSupply: amountArb,
    policy: fc.constantFrom(...TOKEN_POLICIES),
    cap: amountArb,
  }),
  mintToken: fc.record({ type: fc.constant('mintToken'), token: didArb, to: didArb, amount: amountArb }),
  burnToken: fc.record({ type: fc.constant('burnToken'), token: didArb, amount: amountArb }),
  bridgeLock: fc.record({
    type: fc.constant('bridgeLock'),
    amount: amountArb,
    ethAddress: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${toHex(b)}`),
  }),
  bridgeRelease: fc.record({
    type: fc.constant('bridgeRelease'),
    ethTxHash: bytes32Arb,
    logIndex: fc.maxSafeNat(),
    to: didArb,
    amount: amountArb,
    approvals: approvalsArb,
  }),
} as const;

export const itxArbs: { [K in Itx['type']]: fc.Arbitrary<Extract<Itx, { type: K }>> } = {
  declareAccount: fc.record({ type: fc.constant('declareAccount'), moniker: stringWithin(L.monikerBytes) }),
  transfer: fc.record({
    type: fc.constant('transfer'),
    to: didArb,
    amount: amountArb,
    tokens: fc.uniqueArray(fc.record({ token: didArb, amount: positiveAmountArb }), {
      maxLength: L.transferTokensMax,
      selector: (t) => t.token,
    }),
    assets: fc.uniqueArray(didArb, { maxLength: L.transferAssetsMax }),
    memo: stringWithin(L.memoBytes),
  }),
  createToken: fc.record({
    type: fc.constant('createToken'),
    symbol: fc.stringMatching(/^[A-Z][A-Z0-9]{1,15}$/),
    name: stringWithin(L.tokenNameBytes).map((n) => (n.trim() === '' ? 'Token' : n)),
    decimals: fc.integer({ min: 0, max: L.tokenDecimalsMax }),
    totalSupply: positiveAmountArb,
  }),
  createAsset: fc.record({
    type: fc.constant('createAsset'),
    moniker: stringWithin(L.monikerBytes),
    data: fc.uint8Array({ maxLength: 512 }),
    transferable: fc.boolean(),
    readonly: fc.boolean(),
  }),
  updateAsset: fc.record({
    type: fc.constant('updateAsset'),
    address: didArb,
    moniker: stringWithin(L.monikerBytes),
    data: fc.uint8Array({ maxLength: 512 }),
  }),
  consumeAsset: fc.record({ type: fc.constant('consumeAsset'), address: didArb }),
  delegate: fc.record({ type: fc.constant('delegate'), grantee: didArb, allowance: positiveAmountArb, expiresAtMs: fc.maxSafeNat() }),
  revokeDelegation: fc.record({ type: fc.constant('revokeDelegation'), grantee: didArb }),
  deployBlocklet: fc.record({
    type: fc.constant('deployBlocklet'),
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/),
    version: fc.tuple(fc.nat(999), fc.nat(999), fc.nat(999)).map(([a, b, c]) => `${a}.${b}.${c}`),
    manifestHash: bytes32Arb,
    bundleHash: bytes32Arb,
  }),
  publishComponent: fc.record({
    type: fc.constant('publishComponent'),
    kind: fc.constantFrom(...COMPONENT_KINDS),
    name: nameArb,
    version: versionArb,
    description: stringWithin(L.componentDescriptionBytes),
    manifestHash: bytes32Arb,
    bundleHash: bytes32Arb,
    readmeHash: bytes32Arb,
    releaseNotes: stringWithin(L.releaseNotesBytes),
    categories: fc.uniqueArray(slugArb, { minLength: 1, maxLength: L.componentCategoriesMax }),
    chains: fc.uniqueArray(slugArb, { maxLength: L.componentChainsMax }),
    price: fc.record({ model: fc.constantFrom(...PRICE_MODELS), amount: amountArb }),
    beneficiaries: fc.array(fc.record({ did: didArb, shareBps: fc.integer({ min: 1, max: 10_000 }) }), {
      minLength: 1,
      maxLength: L.beneficiariesMax,
    }),
  }),
  transferComponent: fc.record({ type: fc.constant('transferComponent'), name: nameArb, to: didArb }),
  deprecateVersion: fc.record({
    type: fc.constant('deprecateVersion'),
    name: nameArb,
    version: versionArb,
    yank: fc.boolean(),
    reason: stringWithin(L.reasonBytes),
  }),
  reviewComponent: fc.record({
    type: fc.constant('reviewComponent'),
    name: nameArb,
    stars: fc.integer({ min: 1, max: 5 }),
    textHash: bytes32Arb,
    edit: fc.boolean(),
  }),
  replyReview: fc.record({ type: fc.constant('replyReview'), name: nameArb, reviewer: didArb, textHash: bytes32Arb }),
  reportAbuse: fc.record({
    type: fc.constant('reportAbuse'),
    name: nameArb,
    reviewer: fc.oneof(fc.constant(''), didArb),
    reason: stringWithin(L.reasonBytes),
  }),
  resolveReport: fc.record({
    type: fc.constant('resolveReport'),
    report: bytes32Arb.map(toHex),
    upheld: fc.boolean(),
    note: stringWithin(L.reasonBytes),
  }),
  recordUsage: fc.record({
    type: fc.constant('recordUsage'),
    period: fc.nat(100_000),
    records: fc.array(
      fc.record({
        component: nameArb,
        application: didArb,
        account: didArb,
        installs: fc.nat(),
        calls: fc.nat(),
        paid: amountArb,
      }),
      { minLength: 1, maxLength: 8 },
    ),
  }),
  ...economyItxArbs,
};

export const itxArb: fc.Arbitrary<Itx> = fc.oneof(...Object.values(itxArbs));

/** A transaction envelope with random keys and signatures: well-formed bytes, not a verifiable one. */
export const txArb: fc.Arbitrary<Tx> = fc.record({
  chainId: stringWithin(L.chainIdBytes),
  from: didArb,
  publicKey: bytes32Arb,
  nonce: fc.maxSafeNat(),
  fee: amountArb,
  feePayer: fc.option(fc.record({ did: didArb, publicKey: bytes32Arb, signature: signatureArb }), { nil: null }),
  itx: itxArb,
  signature: signatureArb,
});

/** Block headers with every field in range. */
export const headerArb: fc.Arbitrary<BlockHeader> = fc
  .record({
    version: fc.integer({ min: 0, max: 255 }),
    chainId: stringWithin(L.chainIdBytes),
    height: fc.maxSafeNat(),
    prevHash: bytes32Arb,
    timeMs: fc.maxSafeNat(),
    proposer: didArb,
    txRoot: bytes32Arb,
    stateRoot: bytes32Arb,
    txCount: fc.maxSafeNat(),
    seedProof: fc.uint8Array({ minLength: 80, maxLength: 80 }),
  })
  // Only a consensus header (version 2) carries the proposer's seed proof.
  .map(({ seedProof, ...header }) => (header.version === BLOCK_VERSION_CONSENSUS ? { ...header, seedProof } : header));

/** Bytes that are almost a header (one byte changed, cut or added) or not one at all. */
export const garbageHeaderBytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.tuple(headerArb, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([h, at, xor]) => {
    const bytes = encodeHeader(h);
    const i = at % bytes.length;
    bytes[i] = (bytes[i] as number) ^ xor;
    return bytes;
  }),
  fc.tuple(headerArb, fc.nat()).map(([h, at]) => {
    const bytes = encodeHeader(h);
    return bytes.subarray(0, at % bytes.length);
  }),
);
