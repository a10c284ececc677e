import { Badge, type Column, CopyButton, KeyValueList, shortenMiddle, Table } from '@arc/ui';
import type { RouterOutputs } from '../trpc/types.ts';
import { attemptWords, capitalized, formatMs, percent, stepNameWithNumber, thresholdOf, weightNeeded } from './consensus-words.ts';
import { formatUtc } from './format.ts';
import { AccountLink } from './links.tsx';
import { Section } from './page-shell.tsx';

export type Certificate = RouterOutputs['consensus']['certificate'];
export type Validator = RouterOutputs['consensus']['status']['validators'][number];
type Vote = Certificate['votes'][number];

/** What the block page knows of consensus on a chain run by validators: the block's certificate (none for genesis). */
export interface BlockConsensus {
  certificate: Certificate | null;
  validators: Validator[];
}

const muted = 'text-slate-500 dark:text-slate-400';

/** Final or tentative, as a badge. */
export function FinalityBadge({ final }: { final: boolean }) {
  return final ? <Badge tone="emerald">Final</Badge> : <Badge tone="amber">Tentative</Badge>;
}

/**
 * How the validators agreed on a block: final or tentative, the attempt and step that decided it, when, and the
 * committee's signed votes against the weight they had to pass. Shown only on a chain run by validators.
 */
export function ConsensusSection({
  consensus,
  height,
  blockHash,
  blockTimeMs,
  proposer,
}: {
  consensus: BlockConsensus;
  height: number;
  blockHash: string;
  blockTimeMs: number;
  proposer: string;
}) {
  const { certificate, validators } = consensus;
  if (!certificate) {
    return (
      <Section title="Consensus">
        <p className={`px-4 py-3 text-sm ${muted}`} data-testid="no-certificate">
          {height === 0
            ? 'The genesis block is not voted on: every validator starts from it, as written in the genesis file.'
            : 'This node holds no vote certificate for this block.'}
        </p>
      </Section>
    );
  }
  const totalStake = validators.reduce((sum, v) => sum + v.weight, 0);
  const voted = certificate.votes.reduce((sum, v) => sum + v.weight, 0);
  const needed = weightNeeded(totalStake, thresholdOf(certificate.step));
  const voters = new Set(certificate.votes.map((v) => v.voter));
  const absent = validators.filter((v) => !voters.has(v.did));
  return (
    <Section title="Consensus" aside="how the validators agreed on this block">
      <KeyValueList
        items={[
          {
            label: 'Status',
            value: (
              <span className="inline-flex flex-wrap items-center gap-x-2 gap-y-1" data-testid="finality">
                <FinalityBadge final={certificate.final} />
                <span className={muted}>
                  {certificate.final
                    ? 'more than 2/3 of the stake confirmed it in the final step: no other block can take its place'
                    : 'decided, but the final step did not pass in time; a final block built on it makes it final too'}
                </span>
              </span>
            ),
          },
          { label: 'Decided in', value: <span data-testid="deciding-attempt">{capitalized(attemptWords(certificate.attempt))}</span> },
          {
            label: 'Deciding step',
            value: <span data-testid="deciding-step">{capitalized(stepNameWithNumber(certificate.step))}</span>,
          },
          {
            label: 'Decided at',
            value: (
              <span>
                <time dateTime={new Date(certificate.decidedAtMs).toISOString()}>{formatUtc(certificate.decidedAtMs)}</time>{' '}
                <span className={muted}>
                  {certificate.decidedAtMs >= blockTimeMs
                    ? `(${formatMs(certificate.decidedAtMs - blockTimeMs)} after the block's time)`
                    : null}
                </span>
              </span>
            ),
          },
          {
            label: 'Votes',
            value: <VoteWeight voted={voted} total={totalStake} needed={needed} />,
          },
          {
            label: 'Certificate',
            value: (
              <span className="inline-flex flex-wrap items-center gap-x-2">
                <span>
                  {(certificate.encoded.length / 2).toLocaleString('en-US')} bytes as stored{' '}
                  <span className={muted}>(for a client to check the signatures itself)</span>
                </span>
                <CopyButton value={certificate.encoded} label="certificate hex" showText className="-my-1" />
              </span>
            ),
          },
          ...(certificate.hash === blockHash
            ? []
            : [
                {
                  label: 'Certificate names',
                  value: <span className="font-mono break-all text-amber-700 dark:text-amber-300">{certificate.hash}</span>,
                },
              ]),
        ]}
      />
      <h3 className="border-t border-slate-200 px-4 pt-4 pb-2 text-sm font-semibold text-slate-900 dark:border-slate-800 dark:text-slate-100">
        Votes in the certificate <span className={`font-normal ${muted}`}>({certificate.votes.length.toLocaleString('en-US')})</span>
      </h3>
      <VotesTable votes={certificate.votes} totalStake={totalStake} proposer={proposer} />
      <div className={`space-y-1 border-t border-slate-200 px-4 py-3 text-xs dark:border-slate-800 ${muted}`}>
        <p>
          A validator&apos;s weight is its stake in whole ABT. The certificate holds the votes counted when the step passed, each signed by
          its voter.
        </p>
        {absent.length > 0 ? (
          <p data-testid="absent-voters">
            Not in it (their votes came after, or never):{' '}
            {absent.map((v, index) => (
              <span key={v.did}>
                {index > 0 ? ', ' : null}
                <AccountLink did={v.did} />
                {v.did === proposer ? ' (the proposer)' : null}
              </span>
            ))}
            .
          </p>
        ) : null}
      </div>
    </Section>
  );
}

/** The votes' weight against the stake, as figures and a bar with the threshold marked. */
function VoteWeight({ voted, total, needed }: { voted: number; total: number; needed: number }) {
  const passed = voted >= needed;
  const share = total > 0 ? Math.min(100, (voted / total) * 100) : 0;
  const mark = total > 0 ? Math.min(100, (needed / total) * 100) : 0;
  return (
    <span className="flex max-w-md flex-col gap-1.5" data-testid="vote-weight">
      <span>
        <span className="font-medium tabular-nums">{voted.toLocaleString('en-US')}</span> of{' '}
        <span className="tabular-nums">{total.toLocaleString('en-US')}</span> staked ({percent(voted, total)}){' '}
        {passed ? <Badge tone="emerald">above the threshold</Badge> : <Badge tone="red">below the threshold</Badge>}
      </span>
      <span aria-hidden="true" className="relative h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700">
        <span className={`absolute inset-y-0 left-0 ${passed ? 'bg-emerald-500' : 'bg-red-500'}`} style={{ width: `${share}%` }} />
        <span className="absolute inset-y-0 w-0.5 bg-slate-900 dark:bg-slate-100" style={{ left: `${mark}%` }} />
      </span>
      <span className={`text-xs ${muted}`}>
        A step passes with more than 2/3 of the stake: at least <span className="tabular-nums">{needed.toLocaleString('en-US')}</span> (the
        mark on the bar).
      </span>
    </span>
  );
}

/** The committee's votes: who, with what weight and share of the stake, and the signature. */
function VotesTable({ votes, totalStake, proposer }: { votes: Vote[]; totalStake: number; proposer: string }) {
  const columns: Column<Vote>[] = [
    {
      key: 'voter',
      header: 'Voter',
      cell: (v) => (
        <span className="inline-flex flex-col gap-0.5 leading-tight">
          <span className="inline-flex items-center gap-2">
            <AccountLink did={v.voter} />
            {v.voter === proposer ? <Badge tone="indigo">proposer</Badge> : null}
          </span>
          {/* Phones have no room for the Signature column: it goes under the voter. */}
          <span className="sm:hidden">
            <Signature value={v.signature} />
          </span>
        </span>
      ),
    },
    {
      key: 'weight',
      header: 'Weight',
      align: 'right',
      cell: (v) => (
        <span className="inline-flex flex-col items-end leading-tight">
          <span className="tabular-nums">{v.weight.toLocaleString('en-US')}</span>
          {/* Nor for the Share column: it goes under the weight. */}
          <span className={`text-xs sm:hidden ${muted}`}>{percent(v.weight, totalStake)}</span>
        </span>
      ),
    },
    {
      key: 'share',
      header: 'Share of stake',
      align: 'right',
      className: 'hidden sm:table-cell',
      cell: (v) => <span className="tabular-nums">{percent(v.weight, totalStake)}</span>,
    },
    {
      key: 'signature',
      header: 'Signature',
      className: 'hidden sm:table-cell',
      cell: (v) => <Signature value={v.signature} />,
    },
  ];
  return <Table label="Certificate votes" columns={columns} rows={votes} rowKey={(v) => v.publicKey} />;
}

/** A vote's signature, shortened, with the whole on hover, for screen readers and to copy. */
function Signature({ value }: { value: string }) {
  return (
    <span className="inline-flex items-center gap-1">
      <span className="font-mono text-xs" title={value}>
        <span aria-hidden="true">{shortenMiddle(value, 8, 6)}</span>
        <span className="sr-only">{value}</span>
      </span>
      <CopyButton value={value} label="vote signature" className="-my-1" />
    </span>
  );
}
