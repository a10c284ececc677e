import { formatAmount } from '@arc/ui';
import type { ReactNode } from 'react';
import type { TxEvent } from '../chain/tx-words.ts';
import type { Tx } from '../trpc/types.ts';
import { Abt, TokenAmount, type TokenInfo } from './amounts.tsx';
import { formatUtc, plural } from './format.ts';
import { AccountLink } from './links.tsx';

export interface EconomyRowsContext {
  tokens: Map<string, TokenInfo>;
  events: TxEvent[];
  /** The chain's billing period length, for a settlement's dates; null when not known. */
  billingPeriodMs: number | null;
}

/** The token economy's transactions as rows of the tx page: stakes, billing, settlements, tokens, the bridge. */
export function economyRows(tx: Tx, context: EconomyRowsContext): { label: string; value: ReactNode }[] {
  const { tokens } = context;
  const itx = tx.itx;
  switch (itx.type) {
    case 'stake':
    case 'unstake':
      return [{ label: 'Amount', value: <Abt amount={itx.amount} /> }];
    case 'withdrawStake':
      return [];
    case 'slash':
      return [
        { label: 'Offender', value: <AccountLink did={itx.offender} full /> },
        { label: 'Amount', value: <Abt amount={itx.amount} /> },
        { label: 'Reason', value: itx.reason },
        { label: 'Evidence (sha-256)', value: <span className="font-mono break-all">{itx.evidenceHash}</span> },
        { label: 'Approved by', value: <Approvers approvals={itx.approvals} noun="validator" /> },
      ];
    case 'openApplication':
      return [
        { label: 'Application', value: <AccountLink did={itx.application} full /> },
        { label: 'Deposit', value: <Abt amount={itx.deposit} /> },
      ];
    case 'fundApplication':
    case 'withdrawDeposit':
      return [
        { label: 'Application', value: <AccountLink did={itx.application} full /> },
        { label: 'Amount', value: <Abt amount={itx.amount} /> },
      ];
    case 'settle':
      return [
        { label: 'Billing period', value: <Period period={itx.period} billingPeriodMs={context.billingPeriodMs} /> },
        { label: 'Bills', value: <Bills bills={itx.bills} events={context.events} /> },
      ];
    case 'issueToken':
      return [
        { label: 'Symbol', value: itx.symbol },
        { label: 'Name', value: itx.name },
        { label: 'Decimals', value: itx.decimals },
        { label: 'Initial supply', value: `${formatAmount(itx.initialSupply, itx.decimals)} ${itx.symbol}` },
        { label: 'Supply', value: itx.policy === 'capped' ? `capped at ${formatAmount(itx.cap, itx.decimals)}` : itx.policy },
      ];
    case 'mintToken':
      return [
        { label: 'To', value: <AccountLink did={itx.to} full /> },
        { label: 'Amount', value: <TokenAmount token={itx.token} amount={itx.amount} tokens={tokens} /> },
      ];
    case 'burnToken':
      return [{ label: 'Amount', value: <TokenAmount token={itx.token} amount={itx.amount} tokens={tokens} /> }];
    case 'bridgeLock':
      return [
        { label: 'Amount', value: <Abt amount={itx.amount} /> },
        { label: 'Ethereum address', value: <span className="font-mono break-all">{itx.ethAddress}</span> },
      ];
    case 'bridgeRelease':
      return [
        { label: 'To', value: <AccountLink did={itx.to} full /> },
        { label: 'Amount', value: <Abt amount={itx.amount} /> },
        { label: 'Ethereum burn', value: <span className="font-mono break-all">{`${itx.ethTxHash} log ${itx.logIndex}`}</span> },
        { label: 'Approved by', value: <Approvers approvals={itx.approvals} noun="bridge signer" /> },
      ];
    default:
      return [];
  }
}

function Approvers({ approvals, noun }: { approvals: { did: string }[]; noun: string }) {
  return (
    <span className="block space-y-1">
      <span className="block">{plural(approvals.length, noun)}</span>
      {approvals.map((a) => (
        <span key={a.did} className="block">
          <AccountLink did={a.did} />
        </span>
      ))}
    </span>
  );
}

/** A billing period's number, and its span in UTC when the chain's period length is known. */
function Period({ period, billingPeriodMs }: { period: number; billingPeriodMs: number | null }) {
  if (billingPeriodMs === null) return <span className="tabular-nums">{period}</span>;
  const startMs = period * billingPeriodMs;
  return (
    <span className="block">
      <span className="block tabular-nums">{period}</span>
      <span className="block text-xs text-slate-500 dark:text-slate-400">
        {formatUtc(startMs)} – {formatUtc(startMs + billingPeriodMs)}
      </span>
    </span>
  );
}

/** A settlement's bills: each application, what it was charged (from the events) and its metered lines. */
function Bills({ bills, events }: { bills: { application: string; lines: { amount: string }[] }[]; events: TxEvent[] }) {
  const settled = new Map(events.filter((e) => e.type === 'billSettled').map((e) => [String(e.application), e]));
  return (
    <ul className="space-y-1">
      {bills.map((bill) => {
        const event = settled.get(bill.application);
        const metered = bill.lines.reduce((sum, l) => sum + BigInt(l.amount), 0n).toString();
        return (
          <li key={bill.application} className="flex flex-wrap items-baseline gap-x-2">
            <AccountLink did={bill.application} />
            <span className="text-xs text-slate-500 dark:text-slate-400">
              {event && typeof event.charged === 'string' ? (
                <>
                  <Abt amount={event.charged} /> charged{event.paid === false ? ', unpaid' : ', paid'} ·{' '}
                </>
              ) : null}
              {bill.lines.length === 0 ? (
                'fees only'
              ) : (
                <>
                  <Abt amount={metered} /> metered in {plural(bill.lines.length, 'line')}
                </>
              )}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
