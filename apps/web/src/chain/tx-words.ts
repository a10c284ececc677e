import { formatAmount, shortenDid, shortenMiddle } from '@arc/ui';
import type { RouterOutputs, Tx } from '../trpc/types.ts';
import { nativeToken } from './live.ts';

/** One ledger event as the node serves it (amounts as decimal strings). */
export type TxEvent = RouterOutputs['tx']['events']['events'][number];

export interface TxWordsContext {
  /** The transaction's events, when at hand (the tx page): they say what a settlement charged, what a withdrawal moved. */
  events?: TxEvent[];
  /** Symbol and decimals of application tokens the transaction names. */
  tokens?: Map<string, { symbol: string; decimals: number }>;
}

const abt = (amount: string | bigint) => `${formatAmount(amount, nativeToken.decimals)} ${nativeToken.symbol}`;
const did = (value: string) => shortenDid(value);
const plural = (count: number, noun: string) => `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
const utc = (timeMs: number) => `${new Date(timeMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function eventsOf(context: TxWordsContext, type: string): TxEvent[] {
  return (context.events ?? []).filter((e) => e.type === type);
}

function sumField(events: TxEvent[], field: string): bigint {
  return events.reduce((sum, e) => {
    const value = e[field];
    return typeof value === 'string' && /^\d+$/.test(value) ? sum + BigInt(value) : sum;
  }, 0n);
}

function tokenAmount(token: string, amount: string, context: TxWordsContext): string {
  const info = context.tokens?.get(token);
  return info ? `${formatAmount(amount, info.decimals)} ${info.symbol}` : `${amount} units of token ${did(token)}`;
}

/**
 * What a transaction does, in one sentence: "Staked 5 ABT", "Settled period 12 for 3 applications: 0.42 ABT charged",
 * "Slashed 5 ABT from did:abt:z1ab…9xYz (evidence 3fa2…9c0d: double signing), approved by 2 validators". With its
 * events (the tx page) it says what they add: what a settlement charged, what a withdrawal moved.
 */
export function describeTx(tx: Tx, context: TxWordsContext = {}): string {
  const text = describeAction(tx, context);
  // A failed transaction did nothing but pay its fee: say what it asked for, as what it would have done.
  if (tx.failed) return `Failed (${tx.failed.code}), would have: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
  return text;
}

function describeAction(tx: Tx, context: TxWordsContext): string {
  const itx = tx.itx;
  switch (itx.type) {
    case 'transfer': {
      const parts = [
        itx.amount !== '0' ? abt(itx.amount) : null,
        itx.tokens.length ? plural(itx.tokens.length, 'token amount') : null,
        itx.assets.length ? plural(itx.assets.length, 'asset') : null,
      ].filter(Boolean);
      return `Sent ${parts.join(', ') || 'nothing'} to ${did(itx.to)}`;
    }
    case 'declareAccount':
      return itx.moniker ? `Named the account "${itx.moniker}"` : 'Declared the account';
    case 'createToken':
      return `Created the token ${itx.symbol} (${itx.name})`;
    case 'createAsset':
      return `Created the asset "${itx.moniker}"`;
    case 'updateAsset':
      return `Updated the asset ${did(itx.address)}`;
    case 'consumeAsset':
      return `Consumed the asset ${did(itx.address)}`;
    case 'delegate':
      return `Granted ${did(itx.grantee)} up to ${abt(itx.allowance)} of fees`;
    case 'revokeDelegation':
      return `Revoked the fee grant of ${did(itx.grantee)}`;
    case 'stake':
      return `Staked ${abt(itx.amount)}`;
    case 'unstake': {
      const release = eventsOf(context, 'unstaked')[0]?.releaseAtMs;
      return typeof release === 'number'
        ? `Unstaked ${abt(itx.amount)}: unbonding until ${utc(release)}`
        : `Unstaked ${abt(itx.amount)}: unbonding before it can be withdrawn`;
    }
    case 'withdrawStake': {
      const moved = sumField(eventsOf(context, 'stakeWithdrawn'), 'amount');
      return moved > 0n ? `Withdrew ${abt(moved)} of unbonded stake` : 'Withdrew unbonded stake';
    }
    case 'slash': {
      const approvals = plural(itx.approvals.length, 'validator');
      const reason = itx.reason ? `: ${itx.reason}` : '';
      return `Slashed ${abt(itx.amount)} from ${did(itx.offender)} (evidence ${shortenMiddle(itx.evidenceHash, 4, 4)}${reason}), approved by ${approvals}`;
    }
    case 'openApplication':
      return `Opened billing for ${did(itx.application)} with a deposit of ${abt(itx.deposit)}`;
    case 'fundApplication':
      return `Added ${abt(itx.amount)} to the deposit of ${did(itx.application)}`;
    case 'withdrawDeposit':
      return `Withdrew ${abt(itx.amount)} from the deposit of ${did(itx.application)}`;
    case 'settle': {
      const settled = eventsOf(context, 'billSettled');
      const head = `Settled period ${itx.period} for ${plural(itx.bills.length, 'application')}`;
      if (context.events) {
        const unpaid = settled.filter((e) => e.paid === false).length;
        return `${head}: ${abt(sumField(settled, 'charged'))} charged${unpaid ? `, ${plural(unpaid, 'bill')} unpaid` : ''}`;
      }
      const metered = itx.bills.reduce((sum, b) => b.lines.reduce((n, l) => n + BigInt(l.amount), sum), 0n);
      return metered > 0n ? `${head}: ${abt(metered)} metered, plus fees` : head;
    }
    case 'issueToken': {
      const supply = itx.policy === 'capped' ? `capped at ${formatAmount(itx.cap, itx.decimals)}` : itx.policy;
      return `Issued the token ${itx.symbol} with ${formatAmount(itx.initialSupply, itx.decimals)} units (${supply} supply)`;
    }
    case 'mintToken':
      return `Minted ${tokenAmount(itx.token, itx.amount, context)} to ${did(itx.to)}`;
    case 'burnToken':
      return `Burned ${tokenAmount(itx.token, itx.amount, context)}`;
    case 'bridgeLock':
      return `Locked ${abt(itx.amount)} in the bridge for ${shortenMiddle(itx.ethAddress, 6, 4)} on Ethereum`;
    case 'bridgeRelease':
      return `Released ${abt(itx.amount)} from the bridge to ${did(itx.to)}, approved by ${plural(itx.approvals.length, 'signer')}`;
    default:
      return typeLabel(tx.type);
  }
}

/** A type name in words, for a type this page has no sentence for ("recordUsage" → "Record usage"). */
export function typeLabel(type: string): string {
  return type.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

/** What a transaction's own action adds to (+) or takes from (−) `viewer`'s balance in ABT, fees aside; null for none. */
export function balanceChange(tx: Tx, viewer: string): bigint | null {
  // A failed transaction moved nothing (its fee aside, which no row counts).
  if (tx.failed) return null;
  const itx = tx.itx;
  const mine = tx.from === viewer;
  switch (itx.type) {
    case 'transfer':
      if (mine && itx.to === viewer) return null;
      return mine ? -BigInt(itx.amount) : itx.to === viewer ? BigInt(itx.amount) : null;
    case 'stake':
      return mine ? -BigInt(itx.amount) : null;
    case 'openApplication':
      return mine ? -BigInt(itx.deposit) : null;
    case 'fundApplication':
    case 'bridgeLock':
      return mine ? -BigInt(itx.amount) : null;
    case 'withdrawDeposit':
      return mine ? BigInt(itx.amount) : null;
    case 'bridgeRelease':
      return itx.to === viewer ? BigInt(itx.amount) : null;
    default:
      return null;
  }
}
