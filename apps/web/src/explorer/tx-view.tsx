import { CopyButton, formatAmount, KeyValueList, TxTypeBadge } from '@arc/ui';
import type { ReactNode } from 'react';
import { describeTx } from '../chain/tx-words.ts';
import type { RouterOutputs } from '../trpc/types.ts';
import { Abt, abtText, TokenAmount, type TokenInfo } from './amounts.tsx';
import { formatUtc, hexToText } from './format.ts';
import { AccountLink, AssetLink, BlockLink } from './links.tsx';
import { ExplorerPage, Section } from './page-shell.tsx';
import { type EconomyRowsContext, economyRows } from './tx-economy-rows.tsx';
import { type TxState, TxStatusLive } from './tx-status-live.tsx';

type Tx = RouterOutputs['tx']['list']['items'][number];
type Events = RouterOutputs['tx']['events']['events'];

export type { TokenInfo };

/** What the transaction does, as rows: recipient and amounts of a transfer, the token made, the asset touched… */
function actionRows(tx: Tx, context: EconomyRowsContext): { label: string; value: ReactNode }[] {
  const { tokens } = context;
  const itx = tx.itx;
  switch (itx.type) {
    case 'transfer':
      return [
        { label: 'To', value: <AccountLink did={itx.to} full /> },
        { label: 'Amount', value: <Abt amount={itx.amount} /> },
        ...(itx.tokens.length
          ? [
              {
                label: 'Tokens',
                value: (
                  <ul className="space-y-1">
                    {itx.tokens.map((t) => (
                      <li key={t.token}>
                        <TokenAmount token={t.token} amount={t.amount} tokens={tokens} />
                      </li>
                    ))}
                  </ul>
                ),
              },
            ]
          : []),
        ...(itx.assets.length
          ? [
              {
                label: 'Assets',
                value: (
                  <ul className="space-y-1">
                    {itx.assets.map((a) => (
                      <li key={a}>
                        <AssetLink address={a} full />
                      </li>
                    ))}
                  </ul>
                ),
              },
            ]
          : []),
        ...(itx.memo ? [{ label: 'Memo', value: itx.memo }] : []),
      ];
    case 'declareAccount':
      return [{ label: 'Name', value: itx.moniker || '—' }];
    case 'createToken':
      return [
        { label: 'Symbol', value: itx.symbol },
        { label: 'Name', value: itx.name },
        { label: 'Decimals', value: itx.decimals },
        { label: 'Total supply', value: `${formatAmount(itx.totalSupply, itx.decimals)} ${itx.symbol}` },
      ];
    case 'createAsset':
      return [
        { label: 'Name', value: itx.moniker },
        { label: 'Data', value: <AssetData hex={itx.data} /> },
        { label: 'Transferable', value: itx.transferable ? 'yes' : 'no' },
        { label: 'Read-only', value: itx.readonly ? 'yes' : 'no' },
      ];
    case 'updateAsset':
      return [
        { label: 'Asset', value: <AssetLink address={itx.address} full /> },
        { label: 'New name', value: itx.moniker },
        { label: 'New data', value: <AssetData hex={itx.data} /> },
      ];
    case 'consumeAsset':
      return [{ label: 'Asset', value: <AssetLink address={itx.address} full /> }];
    case 'delegate':
      return [
        { label: 'Grantee', value: <AccountLink did={itx.grantee} full /> },
        { label: 'Allowance', value: <Abt amount={itx.allowance} /> },
        { label: 'Expires', value: formatUtc(itx.expiresAtMs) },
      ];
    case 'revokeDelegation':
      return [{ label: 'Grantee', value: <AccountLink did={itx.grantee} full /> }];
    case 'deployBlocklet':
      return [
        { label: 'Blocklet', value: `${itx.name} ${itx.version}` },
        { label: 'Manifest hash', value: <span className="font-mono break-all">{itx.manifestHash}</span> },
        { label: 'Bundle hash', value: <span className="font-mono break-all">{itx.bundleHash}</span> },
      ];
    case 'publishComponent':
      return [
        { label: 'Component', value: `${itx.name} ${itx.version} (${itx.kind})` },
        { label: 'Description', value: itx.description },
        { label: 'Price', value: itx.price.model === 'free' ? 'free' : <Abt amount={itx.price.amount} /> },
        { label: 'Beneficiaries', value: itx.beneficiaries.map((b) => `${b.did} ${b.shareBps / 100}%`).join(', ') },
      ];
    case 'transferComponent':
      return [
        { label: 'Component', value: itx.name },
        { label: 'To', value: <AccountLink did={itx.to} full /> },
      ];
    case 'deprecateVersion':
      return [
        { label: 'Version', value: `${itx.name} ${itx.version}${itx.yank ? ' (yanked)' : ''}` },
        { label: 'Reason', value: itx.reason },
      ];
    case 'reviewComponent':
      return [
        { label: 'Component', value: itx.name },
        { label: 'Stars', value: itx.stars },
      ];
    case 'replyReview':
      return [
        { label: 'Component', value: itx.name },
        { label: 'Reviewer', value: <AccountLink did={itx.reviewer} full /> },
      ];
    case 'reportAbuse':
      return [
        { label: 'Component', value: itx.name },
        { label: 'Reason', value: itx.reason },
      ];
    case 'resolveReport':
      return [
        { label: 'Report', value: <span className="font-mono break-all">{itx.report}</span> },
        { label: 'Upheld', value: itx.upheld ? 'yes' : 'no' },
      ];
    case 'recordUsage':
      return [
        { label: 'Period (UTC day)', value: itx.period },
        { label: 'Records', value: itx.records.length },
      ];
    default:
      return economyRows(tx, context);
  }
}

export function AssetData({ hex }: { hex: string }) {
  if (hex === '') return <span className="text-slate-500 dark:text-slate-400">none</span>;
  const text = hexToText(hex);
  return <span className="font-mono break-all">{text ?? `0x${hex}`}</span>;
}

/** Amount-like fields of events, in ABT (an event that names a token counts that token's units instead). */
const abtFields = new Set(['amount', 'allowance', 'deposit', 'charged']);
/** Fields of events that are a moment, in ms since the epoch. */
const timeFields = new Set(['releaseAtMs', 'expiresAtMs']);

/** A whole value that is a DID (a sentence that starts with one, such as a txFailed message, is text). */
const isDid = (value: unknown): value is string => typeof value === 'string' && /^did:abt:[1-9A-HJ-NP-Za-km-z]+$/.test(value);

function EventValue({ name, value, token }: { name: string; value: unknown; token: boolean }) {
  if (isDid(value)) return <AccountLink did={value} />;
  if (typeof value === 'string' && !token && abtFields.has(name) && /^\d+$/.test(value)) return <Abt amount={value} />;
  if (typeof value === 'number' && timeFields.has(name)) return <span>{formatUtc(value)}</span>;
  if (Array.isArray(value) && value.length > 0 && value.every(isDid))
    return (
      <span className="flex flex-wrap gap-x-3 gap-y-1">
        {value.map((v) => (
          <AccountLink key={String(v)} did={String(v)} />
        ))}
      </span>
    );
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return <span className="font-mono break-all">{String(value)}</span>;
  return <span className="font-mono break-all">{JSON.stringify(value)}</span>;
}

function EventList({ events }: { events: Events }) {
  if (events.length === 0) return <p className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">No events.</p>;
  return (
    <ol className="divide-y divide-slate-100 dark:divide-slate-800">
      {events.map((event, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: events are in the order the ledger emitted them
        <li key={index} className="space-y-1.5 px-4 py-3 text-sm">
          <p className="font-medium text-slate-900 dark:text-slate-100">
            <span className="mr-2 text-xs text-slate-500 tabular-nums dark:text-slate-400">#{index + 1}</span>
            {event.type}
          </p>
          <dl className="grid gap-x-4 gap-y-1 sm:grid-cols-[8rem_minmax(0,1fr)]">
            {Object.entries(event)
              .filter(([k]) => k !== 'type')
              .map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="text-slate-500 dark:text-slate-400">{k}</dt>
                  <dd className="min-w-0">
                    <EventValue name={k} value={v} token={'token' in event} />
                  </dd>
                </div>
              ))}
          </dl>
        </li>
      ))}
    </ol>
  );
}

export interface TxViewProps {
  /** The chain's billing period length, for a settlement's dates (null when not asked). */
  billingPeriodMs?: number | null;
  hash: string;
  state: TxState;
  tx: Tx | null;
  events: Events;
  tokens: Map<string, TokenInfo>;
}

/** A transaction: its status (live while pending), what it does, who pays the fee, its events and its raw JSON. */
export function TxView({ hash, state, tx, events, tokens, billingPeriodMs = null }: TxViewProps) {
  const overview = tx
    ? [
        { label: 'Hash', value: <HashValue value={hash} /> },
        { label: 'Type', value: <TxTypeBadge type={tx.type} /> },
        { label: 'Summary', value: <span data-testid="tx-summary">{describeTx(tx, { events, tokens })}</span> },
        { label: 'Block', value: <BlockLink height={tx.height} /> },
        { label: 'Time', value: <time dateTime={new Date(tx.timeMs).toISOString()}>{formatUtc(tx.timeMs)}</time> },
        { label: 'From', value: <AccountLink did={tx.from} full /> },
        ...actionRows(tx, { tokens, events, billingPeriodMs }),
        { label: 'Fee', value: <Abt amount={tx.fee} /> },
        {
          label: 'Fee payer',
          value: tx.feePayer ? (
            <span className="space-y-1">
              <AccountLink did={tx.feePayer} full />
              <span className="block text-xs text-slate-500 dark:text-slate-400">An application pays this user's fees.</span>
              {tx.feePayerBatch ? <BatchCoSigned batch={tx.feePayerBatch} /> : null}
            </span>
          ) : (
            <span>The sender</span>
          ),
        },
        { label: 'Nonce', value: <span className="tabular-nums">{tx.nonce}</span> },
        { label: 'Position in block', value: <span className="tabular-nums">{tx.index}</span> },
      ]
    : [{ label: 'Hash', value: <HashValue value={hash} /> }];
  return (
    <ExplorerPage
      kicker="Transaction"
      title={
        <span className="font-mono text-lg sm:text-2xl">
          {hash.slice(0, 10)}…{hash.slice(-8)}
        </span>
      }
    >
      <TxStatusLive hash={hash} initial={state} fee={tx ? abtText(tx.fee) : undefined} />
      <Section title="Overview">
        <KeyValueList items={overview} />
      </Section>
      {tx ? (
        <Section title="Events" aside={`${events.length} emitted`}>
          <EventList events={events} />
        </Section>
      ) : null}
      {tx ? (
        <Section title="Raw">
          <details className="group px-4 py-3 text-sm">
            <summary className="cursor-pointer font-medium text-indigo-700 select-none dark:text-indigo-300">Show the raw JSON</summary>
            {/* Focusable, so a keyboard can scroll it (it scrolls when long). */}
            <pre
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls must take focus (axe: scrollable-region-focusable)
              tabIndex={0}
              className="mt-3 max-h-96 overflow-auto rounded-lg break-all whitespace-pre-wrap bg-slate-50 p-3 font-mono text-xs text-slate-800 dark:bg-slate-950 dark:text-slate-200"
            >
              {JSON.stringify({ ...tx, events }, null, 2)}
            </pre>
          </details>
        </Section>
      ) : null}
    </ExplorerPage>
  );
}

/** A fee payer's batch signature: one signature over a Merkle root covers this transaction and others. */
function BatchCoSigned({ batch }: { batch: NonNullable<Tx['feePayerBatch']> }) {
  const size = 2 ** batch.proofDepth;
  return (
    <span className="block text-xs text-slate-500 dark:text-slate-400" data-testid="fee-payer-batch">
      {batch.proofDepth === 0
        ? 'Co-signed as a batch of one.'
        : `Co-signed in a batch: one signature covers up to ${size.toLocaleString('en-US')} transactions (this is leaf ${batch.index.toLocaleString('en-US')}, proved with ${batch.proofDepth} ${batch.proofDepth === 1 ? 'hash' : 'hashes'}).`}
      <span className="mt-1 flex max-w-full items-start gap-1">
        <span className="shrink-0">Batch root</span>
        <span className="font-mono break-all text-slate-700 dark:text-slate-300">{batch.root}</span>
        <CopyButton value={batch.root} label="batch root" className="-my-1 shrink-0" />
      </span>
    </span>
  );
}

function HashValue({ value }: { value: string }) {
  return (
    <span className="inline-flex max-w-full items-start gap-1">
      <span className="font-mono break-all">{value}</span>
      <CopyButton value={value} label="transaction hash" className="-my-1 shrink-0" />
    </span>
  );
}
