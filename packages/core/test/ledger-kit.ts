/** Fixed actors, chain parameters and transaction builders shared by the ledger tests. */
import { expect } from 'vitest';
import {
  type ApplyOk,
  type Approval,
  applyTx,
  approvalDigest,
  type BlockContext,
  type ChainParams,
  type CheckedTx,
  checkTx,
  didFromPublicKey,
  type EconomyItx,
  type EconomyParams,
  encodeTx,
  type GenesisConfig,
  grantId,
  type Itx,
  type KeyPair,
  keyPairFromSeed,
  LedgerError,
  type LedgerErrorCode,
  type OpenApplicationTx,
  Overlay,
  openApplicationDigest,
  signMessage,
  signTx,
  stateKey,
  type TokenAmount,
  type Tx,
  type UnsignedTx,
} from '../src/index.ts';
import { MemoryState } from '../src/ledger/memory-state.ts';

export const CHAIN_ID = 'arc-test-1';
export const GENESIS_TIME_MS = 1_700_000_000_000;
export const BLOCK_INTERVAL_MS = 1_000;
export const MIN_FEE = 10n;

/** A key holder with a fixed seed (32 copies of one byte), so every run signs the same bytes. */
export interface Actor {
  name: string;
  seed: Uint8Array;
  keys: KeyPair;
  did: string;
}

export function actor(name: string, seedByte: number): Actor {
  const seed = new Uint8Array(32).fill(seedByte);
  const keys = keyPairFromSeed(seed);
  return { name, seed, keys, did: didFromPublicKey(keys.publicKey) };
}

export const alice = actor('alice', 1);
export const bob = actor('bob', 2);
export const carol = actor('carol', 3);
export const dave = actor('dave', 4);
export const erin = actor('erin', 5);
export const frank = actor('frank', 6);
/** Proposes every block unless a test says otherwise; holds nothing at genesis. */
export const validator = actor('validator', 9);
/** The test chain's market moderator and usage reporter (chain parameters). */
export const moderator = actor('moderator', 7);
export const meter = actor('meter', 8);

/** The treasury and the bridge escrow of the test chain: accounts nobody sends from in the tests. */
export const treasury = actor('treasury', 10);
export const escrow = actor('escrow', 11);
/** The test chain's validators (two of three approve a slash) and bridge signers (two of three approve a release). */
export const VALIDATORS = [actor('validator-1', 12), actor('validator-2', 13), actor('validator-3', 14)];
export const BRIDGE_SIGNERS = [actor('bridge-signer-1', 15), actor('bridge-signer-2', 16), actor('bridge-signer-3', 17)];
/** An application's key: it consents to billing under an owner and pays its users' fees. */
export const shop = actor('shop', 18);

/** The bonded stake each component name needs on the test chain. */
export const PUBLISH_STAKE = 1_000n;

export const ECONOMY: EconomyParams = {
  treasury: treasury.did,
  treasuryBps: 1_000,
  settlers: [meter.did],
  billingPeriodMs: 10_000,
  graceMs: 20_000,
  unbondingMs: 5_000,
  publishStake: PUBLISH_STAKE,
  validators: VALIDATORS.map((v) => v.did),
  slashThreshold: 2,
  bridgeEscrow: escrow.did,
  bridgeSigners: BRIDGE_SIGNERS.map((s) => s.did),
  bridgeThreshold: 2,
};

export const PARAMS: ChainParams = {
  minFee: MIN_FEE,
  maxTxBytes: 16_384,
  maxTxsPerBlock: 1_000,
  maxBlockBytes: 1_048_576,
  market: { moderators: [moderator.did], usageReporters: [meter.did] },
  economy: ECONOMY,
};

export function genesisConfig(allocations: { did: string; amount: bigint }[]): GenesisConfig {
  return {
    chainId: CHAIN_ID,
    timeMs: GENESIS_TIME_MS,
    nativeToken: { symbol: 'ABT', name: 'ArcBlock Token', decimals: 18 },
    params: PARAMS,
    allocations,
  };
}

export function blockCtx(height: number, overrides: Partial<BlockContext> = {}): BlockContext {
  return {
    chainId: CHAIN_ID,
    height,
    timeMs: GENESIS_TIME_MS + height * BLOCK_INTERVAL_MS,
    proposer: validator.did,
    params: PARAMS,
    ...overrides,
  };
}

export interface TxOptions {
  nonce: number;
  fee?: bigint;
  feePayer?: Actor;
  chainId?: string;
}

export function unsignedTx(from: Actor, itx: Itx, opts: TxOptions): UnsignedTx {
  return {
    chainId: opts.chainId ?? CHAIN_ID,
    from: from.did,
    publicKey: from.keys.publicKey,
    nonce: opts.nonce,
    fee: opts.fee ?? MIN_FEE,
    feePayer: opts.feePayer ? { did: opts.feePayer.did, publicKey: opts.feePayer.keys.publicKey } : null,
    itx,
  };
}

/** A transaction signed by its sender (and by its fee payer, when it names one). */
export function signedTx(from: Actor, itx: Itx, opts: TxOptions): Tx {
  return signTx(unsignedTx(from, itx, opts), from.seed, opts.feePayer?.seed);
}

/** Runs the stateless checks and fails the test unless the transaction passes them. */
export function mustCheck(tx: Tx, params: ChainParams = PARAMS): CheckedTx {
  const checked = checkTx(encodeTx(tx), { chainId: CHAIN_ID, params });
  if (checked instanceof LedgerError) throw new Error(`test transaction failed checkTx: ${checked.code} ${checked.message}`);
  return checked;
}

export function transferItx(
  to: Actor | string,
  fields: { amount?: bigint; tokens?: TokenAmount[]; assets?: string[]; memo?: string },
): Itx {
  return {
    type: 'transfer',
    to: typeof to === 'string' ? to : to.did,
    amount: fields.amount ?? 0n,
    tokens: fields.tokens ?? [],
    assets: fields.assets ?? [],
    memo: fields.memo ?? '',
  };
}

/** Approvals of a slash or a bridge release by each signer, over its approval digest on the test chain. */
export function approvalsBy(itx: EconomyItx, signers: Actor[], chainId = CHAIN_ID): Approval[] {
  const digest = approvalDigest(chainId, itx);
  return signers.map((s) => ({ did: s.did, publicKey: s.keys.publicKey, signature: signMessage(s.seed, digest) }));
}

/** A slash or bridge release carrying the approvals of `signers`. */
export function approved<T extends EconomyItx & { approvals: Approval[] }>(itx: Omit<T, 'approvals'>, signers: Actor[]): T {
  const unsigned = { ...itx, approvals: [] } as unknown as T;
  return { ...unsigned, approvals: approvalsBy(unsigned, signers) };
}

/** Opens billing for `app` under `owner`, with the application key's consent. */
export function openApplicationItx(owner: Actor, app: Actor, deposit: bigint, chainId = CHAIN_ID): OpenApplicationTx {
  const consent = signMessage(app.seed, openApplicationDigest(chainId, app.did, owner.did));
  return { type: 'openApplication', application: app.did, applicationKey: app.keys.publicKey, applicationSignature: consent, deposit };
}

/**
 * A chain in memory: each `send` builds, signs and checks a transaction with the sender's next
 * nonce (unless given), applies it alone on an overlay, and commits the writes when it succeeds.
 */
export class TestChain {
  height = 0;
  /** Time added to every later block's time (see `wait`). */
  skewMs = 0;
  constructor(readonly state: MemoryState) {}

  static funded(allocations: [Actor, bigint][]): TestChain {
    return new TestChain(MemoryState.fromGenesis(genesisConfig(allocations.map(([a, amount]) => ({ did: a.did, amount })))));
  }

  nextNonce(who: Actor): number {
    return (this.state.account(who.did)?.nonce ?? 0) + 1;
  }

  build(from: Actor, itx: Itx, opts: Partial<TxOptions> = {}): CheckedTx {
    return mustCheck(signedTx(from, itx, { nonce: this.nextNonce(from), ...opts }));
  }

  /** Applies a checked transaction in a block of its own; commits it on success. */
  apply(checked: CheckedTx, ctx: Partial<BlockContext> = {}): { result: ApplyOk | LedgerError; overlay: Overlay } {
    this.height += 1;
    const overlay = new Overlay(this.state);
    const timeMs = GENESIS_TIME_MS + this.height * BLOCK_INTERVAL_MS + this.skewMs;
    const result = applyTx(overlay, checked, blockCtx(this.height, { timeMs, ...ctx }));
    if (!(result instanceof LedgerError)) this.state.commit(overlay.writes.values());
    return { result, overlay };
  }

  send(from: Actor, itx: Itx, opts: Partial<TxOptions> = {}, ctx: Partial<BlockContext> = {}): ApplyOk | LedgerError {
    return this.apply(this.build(from, itx, opts), ctx).result;
  }

  /** Like send, but fails the test unless the transaction applies. */
  ok(from: Actor, itx: Itx, opts: Partial<TxOptions> = {}, ctx: Partial<BlockContext> = {}): ApplyOk {
    const result = this.send(from, itx, opts, ctx);
    if (result instanceof LedgerError) throw new Error(`expected ${itx.type} to apply: ${result.code} ${result.message}`);
    return result;
  }

  /** The time of the next block. */
  timeMs(): number {
    return GENESIS_TIME_MS + (this.height + 1) * BLOCK_INTERVAL_MS + this.skewMs;
  }

  /** Moves the clock of later blocks forward. */
  wait(ms: number): void {
    this.skewMs += ms;
  }

  /** Bonds the stake `names` component names need (on top of what `who` has bonded), as a publisher does first. */
  bondForNames(who: Actor, names: number): ApplyOk {
    return this.ok(who, { type: 'stake', amount: BigInt(names) * PARAMS.economy.publishStake });
  }

  balance(who: Actor | string): bigint {
    return this.state.account(typeof who === 'string' ? who : who.did)?.balance ?? 0n;
  }

  tokenBalance(who: Actor, token: string): bigint {
    return this.state.account(who.did)?.tokens.get(token) ?? 0n;
  }
}

/** The address an `assetCreated` event reports. */
export function createdAsset(ok: ApplyOk): string {
  const event = ok.events.find((e) => e.type === 'assetCreated');
  if (event?.type !== 'assetCreated') throw new Error('no assetCreated event');
  return event.address;
}

/**
 * Applies `checked` and expects its rules to refuse it with `code` (and a message matching `text`), in whichever of
 * the two ways the ledger refuses: *rejected* before its fee (no write, the state as it was), or *included as failed*
 * (its nonce advanced and its fee charged, nothing else written; its events are the fee's and one txFailed).
 */
export function expectRefused(
  chain: TestChain,
  checked: CheckedTx,
  code: LedgerErrorCode,
  text?: RegExp,
  ctx: Partial<BlockContext> = {},
): LedgerError {
  const before = chain.state.snapshot();
  const { result, overlay } = chain.apply(checked, ctx);
  const error = result instanceof LedgerError ? result : result.failed;
  if (error === null) throw new Error(`expected ${checked.tx.itx.type} to be refused with ${code}, it applied`);
  expect(error.code).toBe(code);
  if (text) expect(error.message).toMatch(text);
  if (result instanceof LedgerError) {
    expect(overlay.writes.size).toBe(0);
    expect(chain.state.snapshot()).toEqual(before);
  } else {
    expectOnlyFeeCharged(checked, result, overlay, ctx.proposer ?? validator.did);
  }
  return error;
}

/** A failed inclusion wrote the sender's nonce and the fee (payer, proposer, grant or paying application), nothing else. */
export function expectOnlyFeeCharged(checked: CheckedTx, ok: ApplyOk, overlay: Overlay, proposer: string): void {
  const { tx } = checked;
  const payer = tx.feePayer?.did ?? tx.from;
  const feeKeys = new Set([
    stateKey('account', tx.from),
    stateKey('account', payer),
    stateKey('account', proposer),
    stateKey('grant', grantId(payer, tx.from)),
    stateKey('application', payer),
  ]);
  expect([...overlay.writes.keys()].filter((key) => !feeKeys.has(key))).toEqual([]);
  expect(overlay.account(tx.from)?.nonce).toBe(tx.nonce);
  const failed = ok.events.at(-1);
  expect(failed).toEqual({ type: 'txFailed', code: ok.failed?.code, message: ok.failed?.message });
  expect(ok.events.slice(0, -1).every((e) => e.type === 'feePaid' || e.type === 'feeAccrued')).toBe(true);
  // A paying application is not listed: its account did not move (the fee accrued to its bill).
  const listed = overlay.writes.has(stateKey('application', payer)) ? [tx.from] : [tx.from, payer];
  expect(ok.accounts.sort()).toEqual([...new Set(listed)].sort());
}
