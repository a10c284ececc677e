/**
 * Random streams of token economy transactions for economy.property.test.ts. fast-check generates operations with
 * small references; `buildEconomyTx` resolves them against the state so far into signed, statically valid
 * transactions: mostly ones that can apply (the owner withdraws, the stake exists, the escrow holds enough), sometimes
 * ones that cannot (a forged approval, a period settled already, a suspended application's user), so both the happy
 * paths and the refusals run.
 */
import fc from 'fast-check';
import {
  type Approval,
  type Bill,
  type BillLine,
  type CheckedTx,
  type EconomyItx,
  type Itx,
  type StateView,
  sha3,
  tokenAddress,
  utf8,
} from '../src/index.ts';
import { publishItx } from './economy-kit.ts';
import {
  type Actor,
  actor,
  alice,
  approvalsBy,
  BRIDGE_SIGNERS,
  bob,
  carol,
  dave,
  ECONOMY,
  MIN_FEE,
  meter,
  mustCheck,
  openApplicationItx,
  shop,
  signedTx,
  transferItx,
  VALIDATORS,
} from './ledger-kit.ts';

/** Who sends: funded at genesis (the meter settles; anyone may carry approvals). */
export const ECONOMY_CAST: Actor[] = [alice, bob, carol, dave, meter];
/** Two applications whose keys consent to billing and sign as fee payers. */
export const APPS: Actor[] = [shop, actor('kiosk', 19)];
export const TOKEN_SYMBOLS = ['PTS', 'GEM'];
export const COMPONENT = 'meter-kit';
/** Blocks of the streams are this far apart, so periods end, unbonding finishes and grace runs out within a stream. */
export const STREAM_BLOCK_MS = 5_000;

const KINDS = {
  transfer: 3,
  userTx: 6,
  stake: 3,
  unstake: 2,
  withdrawStake: 3,
  slash: 2,
  openApplication: 2,
  fundApplication: 2,
  withdrawDeposit: 2,
  settle: 4,
  publishComponent: 1,
  issueToken: 2,
  mintToken: 2,
  burnToken: 3,
  bridgeLock: 2,
  bridgeRelease: 2,
} as const;
export type EconomyOpKind = keyof typeof KINDS;

export interface EconomyOp {
  kind: EconomyOpKind;
  /** The sender, by index into ECONOMY_CAST (a role's holder is preferred where the kind has one). */
  from: number;
  /** References whose meaning depends on the kind (recipient, application, evidence, period offset…). */
  x: number;
  y: number;
  amount: bigint;
  fee: bigint;
}

export interface EconomyScenario {
  funded: bigint[];
  blocks: { proposer: number; ops: EconomyOp[] }[];
}

const ref = fc.nat({ max: 1_000 });
const opArb: fc.Arbitrary<EconomyOp> = fc.record({
  kind: fc.oneof(...Object.entries(KINDS).map(([kind, weight]) => ({ weight, arbitrary: fc.constant(kind as EconomyOpKind) }))),
  from: ref,
  x: ref,
  y: ref,
  amount: fc.oneof(fc.bigInt({ min: 1n, max: 400n }), fc.bigInt({ min: 1n, max: 6_000n })),
  fee: fc.oneof({ weight: 3, arbitrary: fc.constant(MIN_FEE) }, { weight: 1, arbitrary: fc.bigInt({ min: MIN_FEE, max: 300n }) }),
});

export const economyScenarioArb: fc.Arbitrary<EconomyScenario> = fc.record({
  funded: fc.tuple(...ECONOMY_CAST.map(() => fc.bigInt({ min: 2_000n, max: 60_000n }))),
  blocks: fc.array(fc.record({ proposer: fc.nat({ max: ECONOMY_CAST.length }), ops: fc.array(opArb, { maxLength: 7 }) }), {
    minLength: 4,
    maxLength: 18,
  }),
});

const at = <T>(list: T[], r: number): T => list[r % list.length] as T;
/** Mostly something from `preferred`, sometimes anything. */
const pick = <T>(r: number, preferred: T[], fallback: T[]): T => (preferred.length > 0 && r % 5 !== 0 ? at(preferred, r) : at(fallback, r));
/** Mostly at most `limit` (when there is something), sometimes the raw amount. */
const within = (amount: bigint, limit: bigint): bigint => (limit > 0n && amount % 4n !== 0n ? 1n + (amount % limit) : amount);

/** Approvals of `itx` chosen by `r`: mostly a threshold of `set`, sometimes one short, an outsider, or one forged. */
function approvalsFor(itx: EconomyItx, set: Actor[], outsider: Actor, r: number): Approval[] {
  const [a, b, c] = set as [Actor, Actor, Actor];
  switch (r % 8) {
    case 0:
      return approvalsBy(itx, [a]);
    case 1:
      return approvalsBy(itx, [a, outsider]);
    case 2: {
      // Signed over another amount: the digest differs, so the approval does not verify.
      const other = { ...itx, amount: (itx as { amount: bigint }).amount + 1n } as EconomyItx;
      return [...approvalsBy(itx, [a]), ...approvalsBy(other, [b])];
    }
    case 3:
      return approvalsBy(itx, [a, b, c]);
    default:
      return approvalsBy(itx, r % 2 === 0 ? [b, c] : [c, a]);
  }
}

function stakeTotal(state: StateView, did: string): bigint {
  const s = state.stake(did);
  return s ? s.unbonding.reduce((sum, u) => sum + u.amount, s.bonded) : 0n;
}

function billsFor(op: EconomyOp, state: StateView): Bill[] {
  const open = APPS.filter((a) => state.application(a.did) !== undefined);
  const apps = open.length === 0 || op.y % 7 === 0 ? [at(APPS, op.y)] : open.filter((_, i) => (op.y >> i) % 2 === 0 || i === 0);
  return apps.map((app, i) => {
    const lines: BillLine[] = [];
    const n = (op.x + i) % 3;
    if (n >= 1) lines.push({ kind: 'node', payee: at(ECONOMY_CAST, op.x + i).did, amount: within(op.amount, 1_500n) });
    if (n >= 2 && (state.component(COMPONENT) !== undefined || op.x % 5 === 0)) {
      lines.push({ kind: 'component', payee: COMPONENT, amount: 1n + (op.amount % 997n) });
    }
    return { application: app.did, lines };
  });
}

/** The inner transaction of an op and its sender, resolved against the state; with a fee payer for user txs. */
function resolve(op: EconomyOp, state: StateView, timeMs: number): { sender: Actor; itx: Itx; feePayer?: Actor } {
  const anyone = at(ECONOMY_CAST, op.from);
  const byDid = (did: string | undefined) => ECONOMY_CAST.find((c) => c.did === did);
  const app = at(APPS, op.x);
  switch (op.kind) {
    case 'transfer':
      return {
        sender: anyone,
        itx: transferItx(at(ECONOMY_CAST, op.x), { amount: within(op.amount, state.account(anyone.did)?.balance ?? 0n) }),
      };
    case 'userTx':
      return { sender: anyone, itx: transferItx(at(ECONOMY_CAST, op.y), { amount: 1n }), feePayer: app };
    case 'stake':
      return { sender: anyone, itx: { type: 'stake', amount: op.amount } };
    case 'unstake': {
      const sender = pick(
        op.from,
        ECONOMY_CAST.filter((c) => (state.stake(c.did)?.bonded ?? 0n) > 0n),
        ECONOMY_CAST,
      );
      return { sender, itx: { type: 'unstake', amount: within(op.amount, state.stake(sender.did)?.bonded ?? 0n) } };
    }
    case 'withdrawStake': {
      const ready = ECONOMY_CAST.filter((c) => state.stake(c.did)?.unbonding.some((u) => u.releaseAtMs <= timeMs));
      return { sender: pick(op.from, ready, ECONOMY_CAST), itx: { type: 'withdrawStake' } };
    }
    case 'slash': {
      const stakers = ECONOMY_CAST.filter((c) => stakeTotal(state, c.did) > 0n);
      const offender = pick(op.x, stakers, ECONOMY_CAST);
      const fields = { type: 'slash' as const, offender: offender.did, reason: 'misbehaved', approvals: [] as Approval[] };
      const itx = {
        ...fields,
        amount: within(op.amount, stakeTotal(state, offender.did)),
        evidenceHash: sha3(utf8(`evidence ${op.y % 5}`)),
      };
      return { sender: anyone, itx: { ...itx, approvals: approvalsFor(itx, VALIDATORS, at(BRIDGE_SIGNERS, op.y), op.y) } };
    }
    case 'openApplication':
      return { sender: anyone, itx: openApplicationItx(anyone, app, op.amount % 5n === 0n ? 0n : op.amount) };
    case 'fundApplication':
      return { sender: anyone, itx: { type: 'fundApplication', application: app.did, amount: op.amount } };
    case 'withdrawDeposit': {
      const a = state.application(app.did);
      // One in four asks as someone who is not the owner (NOT_APPLICATION_OWNER), whoever opened the application.
      const sender =
        op.from % 4 !== 0
          ? byDid(a?.owner) || anyone
          : at(
              ECONOMY_CAST.filter((c) => c.did !== a?.owner),
              op.from,
            );
      return { sender, itx: { type: 'withdrawDeposit', application: app.did, amount: within(op.amount, a?.deposit ?? 0n) } };
    }
    case 'settle': {
      const period = Math.floor(timeMs / ECONOMY.billingPeriodMs) - 1 + ([0, 0, 0, -1, 1][op.y % 5] as number);
      return {
        sender: op.from % 6 === 0 ? anyone : meter,
        itx: { type: 'settle', period: Math.max(0, period), bills: billsFor(op, state) },
      };
    }
    case 'publishComponent': {
      const other = at(
        ECONOMY_CAST.filter((c) => c !== anyone),
        op.x,
      );
      // The first publish: mostly by an account whose bond covers a name, sometimes by anyone (STAKE_TOO_LOW).
      const bonded = ECONOMY_CAST.filter((c) => (state.stake(c.did)?.bonded ?? 0n) >= ECONOMY.publishStake);
      const sender = byDid(state.component(COMPONENT)?.owner) ?? pick(op.from, bonded, ECONOMY_CAST);
      const version = `1.${op.y % 100}.0`;
      const shares = [
        { did: sender.did, shareBps: 3_333 + (op.x % 3_000) },
        { did: other.did, shareBps: 6_667 - (op.x % 3_000) },
      ];
      const beneficiaries = sender === other ? [{ did: sender.did, shareBps: 10_000 }] : shares;
      return { sender, itx: { ...publishItx(COMPONENT, beneficiaries), version } };
    }
    case 'issueToken': {
      const policy = (['fixed', 'mintable', 'capped'] as const)[op.y % 3] as 'fixed' | 'mintable' | 'capped';
      const initialSupply = policy === 'fixed' ? op.amount : op.amount % 3n === 0n ? 0n : op.amount;
      const cap = policy === 'capped' ? initialSupply + 1n + (op.amount % 2_000n) : 0n;
      return {
        sender: anyone,
        itx: { type: 'issueToken', symbol: at(TOKEN_SYMBOLS, op.x), name: 'points', decimals: 0, initialSupply, policy, cap },
      };
    }
    case 'mintToken': {
      const token = tokenAddress(at(TOKEN_SYMBOLS, op.x));
      const sender = (op.from % 4 !== 0 && byDid(state.token(token)?.owner)) || anyone;
      return { sender, itx: { type: 'mintToken', token, to: at(ECONOMY_CAST, op.y).did, amount: op.amount } };
    }
    case 'burnToken': {
      const token = tokenAddress(at(TOKEN_SYMBOLS, op.x));
      const holders = ECONOMY_CAST.filter((c) => (state.account(c.did)?.tokens.get(token) ?? 0n) > 0n);
      const sender = pick(op.from, holders, ECONOMY_CAST);
      return { sender, itx: { type: 'burnToken', token, amount: within(op.amount, state.account(sender.did)?.tokens.get(token) ?? 0n) } };
    }
    case 'bridgeLock':
      return {
        sender: anyone,
        itx: { type: 'bridgeLock', amount: op.amount, ethAddress: `0x${'ab'.repeat(19)}${(op.x % 256).toString(16).padStart(2, '0')}` },
      };
    case 'bridgeRelease': {
      const escrowed = state.account(ECONOMY.bridgeEscrow)?.balance ?? 0n;
      const itx = {
        type: 'bridgeRelease' as const,
        ethTxHash: sha3(utf8(`burn ${op.x % 2}`)),
        logIndex: (op.x >> 1) % 2,
        to: at(ECONOMY_CAST, op.y).did,
        amount: within(op.amount, escrowed),
        approvals: [] as Approval[],
      };
      return { sender: anyone, itx: { ...itx, approvals: approvalsFor(itx, BRIDGE_SIGNERS, at(VALIDATORS, op.y), op.y >> 3) } };
    }
  }
}

/** The signed, checked transaction of an op against the state so far, with the sender's next nonce. */
export function buildEconomyTx(op: EconomyOp, state: StateView, timeMs: number): CheckedTx {
  const { sender, itx, feePayer } = resolve(op, state, timeMs);
  const nonce = (state.account(sender.did)?.nonce ?? 0) + 1;
  return mustCheck(signedTx(sender, itx, { nonce, fee: op.fee, feePayer }));
}
