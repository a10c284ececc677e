/**
 * Random transaction streams for the ledger property tests. fast-check generates intents (who
 * does what, with small references); `buildBlock` turns each into a signed, statically valid
 * transaction against the block so far, resolving references mostly to things that exist (held
 * tokens, owned assets, granting payers, the next nonce) and sometimes to things that do not, so
 * both the happy paths and every refusal get exercised.
 */
import fc from 'fast-check';
import {
  applyTx,
  type BlockContext,
  type ChainParams,
  type CheckedTx,
  deriveDid,
  type Itx,
  LedgerError,
  Overlay,
  type StateView,
  type TokenAmount,
  tokenAddress,
  utf8,
} from '../src/index.ts';
import {
  type Actor,
  alice,
  bob,
  carol,
  dave,
  ECONOMY,
  erin,
  frank,
  MIN_FEE,
  mustCheck,
  PARAMS,
  signedTx,
  validator,
} from './ledger-kit.ts';
import { marketIntents, marketItx, marketSender } from './ledger-streams-market.ts';

/** Everyone who may send or receive; the first 3–6 are funded at genesis, the validator never is. */
export const CAST: Actor[] = [alice, bob, carol, dave, erin, frank, validator];
export const SYMBOLS = ['GOLD', 'SILVER', 'BRONZE', 'IRON'];

const who = fc.nat({ max: CAST.length - 1 });
const ref = fc.nat({ max: 1_000 });
const abtAmount = fc.oneof(fc.bigInt({ min: 0n, max: 2_000n }), fc.bigInt({ min: 0n, max: 300_000n }));
const tokenAmount = fc.oneof(fc.bigInt({ min: 1n, max: 1_000n }), fc.bigInt({ min: 1n, max: 10n ** 30n }));

export type Intent =
  | { kind: 'transfer'; to: number; amount: bigint; tokens: { ref: number; amount: bigint }[]; assets: number[] }
  | { kind: 'createToken'; symbol: number; supply: bigint }
  | { kind: 'createAsset'; transferable: boolean; readonly: boolean }
  | { kind: 'updateAsset'; asset: number }
  | { kind: 'consumeAsset'; asset: number }
  | { kind: 'delegate'; to: number; allowance: bigint; expiresInMs: number }
  | { kind: 'revokeDelegation'; to: number }
  | { kind: 'declareAccount' }
  | { kind: 'stake'; amount: bigint }
  | { kind: 'unstake'; amount: bigint }
  | { kind: 'publishComponent'; name: number; version: number }
  | { kind: 'transferComponent'; name: number; to: number }
  | { kind: 'deprecateVersion'; name: number; version: number; yank: boolean }
  | { kind: 'recordUsage'; name: number; account: number; calls: number; paid: bigint }
  | { kind: 'reviewComponent'; name: number; stars: number; edit: boolean }
  | { kind: 'replyReview'; name: number; reviewer: number }
  | { kind: 'reportAbuse'; name: number; reviewer: number }
  | { kind: 'resolveReport'; report: number; upheld: boolean };

/** The component names streams publish under (few, so names collide and owners compete). */
export const COMPONENT_NAMES = ['oracle', 'bridge', 'wallet-kit'];

/** The market roles of the streams, held by cast members (the kit's moderator and meter are not in the cast). */
export const STREAM_MARKET = { moderators: [carol.did, alice.did], usageReporters: [bob.did, carol.did] };
/** The bonded stake each component name needs in the streams: a real share of a funded balance. */
export const STREAM_PUBLISH_STAKE = 300n;
/** The chain parameters the streams' blocks apply under. */
export const STREAM_PARAMS: ChainParams = {
  ...PARAMS,
  market: STREAM_MARKET,
  economy: { ...ECONOMY, publishStake: STREAM_PUBLISH_STAKE },
};

export interface Op {
  /** A reference to the sender, resolved to an existing account most of the time. */
  from: number;
  intent: Intent;
  /** 0 for the right nonce; otherwise a reused or skipped one. */
  nonceSkew: number;
  fee: bigint;
  /** A reference to a fee payer (resolved to a granting payer most of the time), or null. */
  payer: number | null;
}

const coreIntents = [
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      to: who,
      amount: abtAmount,
      tokens: fc.array(fc.record({ ref, amount: tokenAmount }), { maxLength: 2 }),
      assets: fc.array(ref, { maxLength: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('createToken' as const), symbol: ref, supply: tokenAmount }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('createAsset' as const), transferable: fc.boolean(), readonly: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('updateAsset' as const), asset: ref }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('consumeAsset' as const), asset: ref }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('delegate' as const),
      to: who,
      allowance: fc.bigInt({ min: 1n, max: 200n }),
      expiresInMs: fc.integer({ min: -1_000, max: 8_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revokeDelegation' as const), to: ref }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'declareAccount' as const }) },
];

const intentArb: fc.Arbitrary<Intent> = fc.oneof(...coreIntents);
/** Marketplace transactions, with transfers and fee grants among them (a transfer drains a publisher…). */
const marketIntentArb: fc.Arbitrary<Intent> = fc.oneof(...marketIntents(ref, who), ...coreIntents.slice(0, 1), ...coreIntents.slice(5, 6));

const opOf = (intent: fc.Arbitrary<Intent>): fc.Arbitrary<Op> =>
  fc.record({
    from: ref,
    intent,
    nonceSkew: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1, 2) }),
    fee: fc.oneof(
      { weight: 6, arbitrary: fc.constant(MIN_FEE) },
      { weight: 2, arbitrary: fc.bigInt({ min: MIN_FEE, max: 60n }) },
      { weight: 1, arbitrary: fc.bigInt({ min: MIN_FEE, max: 20_000n }) },
    ),
    payer: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: ref }),
  });

export interface Scenario {
  funded: bigint[];
  blocks: { proposer: number; ops: Op[] }[];
}

export const opArb = opOf(intentArb);

const scenarioOf = (op: fc.Arbitrary<Op>, maxOps = 8, maxBlocks = 8): fc.Arbitrary<Scenario> =>
  fc.record({
    funded: fc.array(fc.bigInt({ min: 1_000n, max: 200_000n }), { minLength: 3, maxLength: 6 }),
    blocks: fc.array(fc.record({ proposer: who, ops: fc.array(op, { maxLength: maxOps }) }), { minLength: 1, maxLength: maxBlocks }),
  });

export const scenarioArb = scenarioOf(opArb);
/** Streams of mostly marketplace transactions (the general streams reach the deeper market paths rarely). */
export const marketScenarioArb = scenarioOf(opOf(marketIntentArb), 12, 12);

/** Picks from `preferred` most of the time, else from `fallback`. */
export function pick<T>(r: number, preferred: T[], fallback: T[]): T {
  const list = preferred.length > 0 && r % 4 !== 0 ? preferred : fallback;
  return list[r % list.length] as T;
}

/** Like pick, but with nothing preferred it mostly picks nothing (so a transfer leaves the part out). */
function pickOrSkip<T>(r: number, preferred: T[], fallback: T[]): T | undefined {
  if (preferred.length === 0 && r % 4 !== 0) return undefined;
  return pick(r, preferred, fallback);
}

/** A token amount: mostly some of what is held, sometimes all of it (leaving zero), sometimes anything. */
function amountOf(raw: bigint, held: bigint): bigint {
  if (held === 0n || raw % 5n === 0n) return raw;
  return raw % 5n === 1n ? held : 1n + (raw % held);
}

function transferTo(to: number): Extract<Itx, { type: 'transfer' }> {
  return { type: 'transfer', to: (CAST[to] as Actor).did, amount: 0n, tokens: [], assets: [], memo: '' };
}

function unknownAsset(r: number): string {
  return deriveDid(utf8(`no such asset ${r}`), 'asset');
}

/** What a stream knows between blocks: every asset ever created. */
export interface StreamMemory {
  assets: string[];
  /** Every abuse report ever filed (their ids). */
  reports: string[];
}

/**
 * Builds a block's transactions in order, each against a preview of the block so far (as a
 * wallet that watches its own pending transactions would), so references and nonces resolve
 * against what the earlier transactions did.
 */
export function buildBlock(ops: Op[], state: StateView, memory: StreamMemory, ctx: BlockContext): CheckedTx[] {
  const preview = new Overlay(state);
  return ops.map((op) => {
    const checked = buildTx(op, preview, memory, ctx);
    const result = applyTx(preview, checked, ctx);
    if (!(result instanceof LedgerError)) {
      for (const e of result.events) {
        if (e.type === 'assetCreated') memory.assets.push(e.address);
        if (e.type === 'abuseReported') memory.reports.push(e.id);
      }
    }
    return checked;
  });
}

/** Builds the signed, checked transaction for an intent against the given view. */
function buildTx(op: Op, state: StateView, memory: StreamMemory, ctx: BlockContext): CheckedTx {
  const existing = CAST.filter((c) => state.account(c.did) !== undefined);
  const preferred = op.from % 4 === 0 ? undefined : marketSender(op.intent, state, ctx);
  const sender = preferred ?? pick(op.from, existing, CAST);
  const itx = itxFor(op.intent, sender, state, memory, ctx, op.fee);
  let feePayer: Actor | undefined;
  if (op.payer !== null) {
    const granting = CAST.filter((c) => c !== sender && state.grant(c.did, sender.did) !== undefined);
    const candidate = pickOrSkip(op.payer, granting, CAST);
    feePayer = candidate === sender ? undefined : candidate;
  }
  const nonce = Math.max(1, (state.account(sender.did)?.nonce ?? 0) + 1 + op.nonceSkew);
  return mustCheck(signedTx(sender, itx, { nonce, fee: op.fee, feePayer }));
}

/** The inner transaction of an intent, its references resolved against the view. */
function itxFor(intent: Intent, sender: Actor, state: StateView, memory: StreamMemory, ctx: BlockContext, fee: bigint): Itx {
  const account = state.account(sender.did);
  const heldTokens = [...(account?.tokens.keys() ?? [])];
  const ownedAssets = memory.assets.filter((a) => state.asset(a)?.owner === sender.did);
  const anyAsset = (r: number) => pick(r, ownedAssets, [...memory.assets, unknownAsset(r)]);
  const others = CAST.filter((c) => c !== sender && state.account(c.did) !== undefined);
  let itx: Itx;
  switch (intent.kind) {
    case 'stake':
    case 'unstake':
      return { type: intent.kind, amount: intent.amount };
    case 'transfer': {
      const tokens = new Map<string, bigint>();
      for (const t of intent.tokens) {
        const token = pickOrSkip(t.ref, heldTokens, SYMBOLS.map(tokenAddress));
        if (token === undefined) continue;
        tokens.set(token, amountOf(t.amount, account?.tokens.get(token) ?? 0n));
      }
      const picked = intent.assets.map((r) => pickOrSkip(r, ownedAssets, [...memory.assets, unknownAsset(r)]));
      const assets = [...new Set(picked.filter((a) => a !== undefined))];
      const tokenList: TokenAmount[] = [...tokens].map(([token, amount]) => ({ token, amount }));
      const spendable = (account?.balance ?? 0n) - fee;
      const amount = intent.amount % 7n === 1n && spendable > 0n ? spendable : intent.amount;
      if (amount === 0n && tokenList.length === 0 && assets.length === 0) return { ...transferTo(intent.to), amount: 1n };
      return { ...transferTo(intent.to), amount, tokens: tokenList, assets };
    }
    case 'createToken': {
      const symbol = SYMBOLS[intent.symbol % SYMBOLS.length] as string;
      itx = { type: 'createToken', symbol, name: `${symbol} token`, decimals: 2, totalSupply: intent.supply };
      break;
    }
    case 'createAsset':
      itx = {
        type: 'createAsset',
        moniker: 'thing',
        data: utf8(`${ctx.height}/${memory.assets.length}`),
        transferable: intent.transferable,
        readonly: intent.readonly,
      };
      break;
    case 'updateAsset':
      itx = { type: 'updateAsset', address: anyAsset(intent.asset), moniker: `v${ctx.height}`, data: new Uint8Array([ctx.height & 0xff]) };
      break;
    case 'consumeAsset':
      itx = { type: 'consumeAsset', address: anyAsset(intent.asset) };
      break;
    case 'delegate':
      itx = {
        type: 'delegate',
        grantee: pick(intent.to, others, CAST).did,
        allowance: intent.allowance,
        expiresAtMs: ctx.timeMs + intent.expiresInMs,
      };
      break;
    case 'revokeDelegation':
      itx = {
        type: 'revokeDelegation',
        grantee: pick(
          intent.to,
          CAST.filter((c) => state.grant(sender.did, c.did) !== undefined),
          CAST,
        ).did,
      };
      break;
    case 'declareAccount':
      itx = { type: 'declareAccount', moniker: sender.name };
      break;
    default:
      itx = marketItx(intent, sender, state, memory, ctx);
  }
  return itx;
}
