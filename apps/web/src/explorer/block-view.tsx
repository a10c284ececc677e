import { CopyButton, KeyValueList } from '@arc/ui';
import Link from 'next/link';
import type { RouterOutputs } from '../trpc/types.ts';
import { type BlockConsensus, ConsensusSection, FinalityBadge } from './block-consensus.tsx';
import { explorerPaths, formatUtc, plural } from './format.ts';
import { AccountLink, BlockHashLink } from './links.tsx';
import { ExplorerPage, Section } from './page-shell.tsx';
import { TxTable } from './tx-table.tsx';

type Block = RouterOutputs['block']['byHeight'];
type Seal = RouterOutputs['block']['seal'];
type Tx = RouterOutputs['tx']['list']['items'][number];

/** Transactions of a block shown on its page; a fuller block says how many more it holds. */
export const blockTxsShownMax = 100;

function Mono({ value, label }: { value: string; label: string }) {
  return (
    <span className="inline-flex max-w-full items-start gap-1">
      <span className="font-mono break-all">{value}</span>
      <CopyButton value={value} label={label} className="-my-1 shrink-0" />
    </span>
  );
}

/**
 * A block as Etherscan shows one: its header, its seal, who proposed it, and its transactions; on a chain run by
 * validators (`consensus` given), how they agreed on it. A one-node chain's blocks have no such section.
 */
export function BlockView({
  block,
  seal,
  txs,
  headHeight,
  consensus,
}: {
  block: Block;
  seal: Seal;
  txs: Tx[];
  headHeight: number;
  consensus: BlockConsensus | null;
}) {
  const nav = 'rounded-md px-2 py-1 ring-1 ring-slate-200 hover:bg-slate-100 dark:ring-slate-700 dark:hover:bg-slate-800';
  return (
    <ExplorerPage
      kicker="Block"
      title={<span className="tabular-nums">#{block.height.toLocaleString('en-US')}</span>}
      subtitle={
        <span className="inline-flex flex-wrap items-center gap-x-2 gap-y-1">
          <span>{`${formatUtc(block.timeMs)} · ${plural(block.txCount, 'transaction')}`}</span>
          {consensus?.certificate ? <FinalityBadge final={consensus.certificate.final} /> : null}
        </span>
      }
      aside={
        <nav aria-label="Neighbouring blocks" className="flex gap-2 text-sm">
          {block.height > 0 ? (
            <Link href={explorerPaths.block(block.height - 1)} className={nav} rel="prev">
              ← Block {block.height - 1}
            </Link>
          ) : null}
          {block.height < headHeight ? (
            <Link href={explorerPaths.block(block.height + 1)} className={nav} rel="next">
              Block {block.height + 1} →
            </Link>
          ) : (
            <span className="px-2 py-1 text-slate-500 dark:text-slate-400">the newest block</span>
          )}
        </nav>
      }
    >
      <Section title="Header">
        <KeyValueList
          items={[
            { label: 'Height', value: <span className="tabular-nums">{block.height.toLocaleString('en-US')}</span> },
            { label: 'Hash', value: <Mono value={block.hash} label="block hash" /> },
            {
              label: 'Parent',
              value:
                block.height > 0 ? (
                  <BlockHashLink hash={block.prevHash} height={block.height - 1} full />
                ) : (
                  <span className="text-slate-500 dark:text-slate-400">none: this is the genesis block</span>
                ),
            },
            {
              label: 'Time',
              value: <time dateTime={new Date(block.timeMs).toISOString()}>{formatUtc(block.timeMs)}</time>,
            },
            { label: 'Transactions', value: plural(block.txCount, 'transaction') },
            { label: 'Transaction root', value: <Mono value={block.txRoot} label="transaction root" /> },
            { label: 'State root', value: <Mono value={block.stateRoot} label="state root" /> },
            {
              label: 'Proposer',
              value: (
                <span>
                  <AccountLink did={block.proposer} full />
                  {consensus ? <span className="text-slate-500 dark:text-slate-400"> · a validator, drawn by lot to propose</span> : null}
                </span>
              ),
            },
          ]}
        />
      </Section>
      <Section title="Seal" aside={sealAside(seal, consensus)}>
        <KeyValueList
          items={[
            { label: 'Signed by', value: <AccountLink did={block.proposer} full /> },
            { label: 'Public key', value: <Mono value={seal.publicKey} label="proposer public key" /> },
            { label: 'Signature', value: <Mono value={seal.signature} label="seal signature" /> },
          ]}
        />
      </Section>
      {consensus ? (
        <ConsensusSection
          consensus={consensus}
          height={block.height}
          blockHash={block.hash}
          blockTimeMs={block.timeMs}
          proposer={block.proposer}
        />
      ) : null}
      <Section
        title="Transactions"
        aside={block.txCount > txs.length ? `the first ${txs.length} of ${block.txCount.toLocaleString('en-US')}` : undefined}
      >
        <TxTable
          label="Block transactions"
          txs={txs}
          showBlock={false}
          empty={{
            title: 'No transactions in this block',
            description: consensus ? 'Its proposer made it with an empty mempool.' : 'The producer made it with an empty mempool.',
          }}
        />
      </Section>
    </ExplorerPage>
  );
}

/** Who vouches for the block besides its proposer's signature. */
function sealAside(seal: Seal, consensus: BlockConsensus | null): string {
  if (consensus?.certificate) return "signed by its proposer; the validators' votes below decided it";
  if (consensus) return 'signed by its proposer, one of the validators';
  return seal.certified ? 'finalized by a vote certificate' : 'signed by the one block producer';
}
