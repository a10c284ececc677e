import { type Column, CubeIcon, EmptyState, formatTimeAgo, Panel, Table } from '@arc/ui';
import type { Block } from '../trpc/types.ts';
import { formatUtc } from './format.ts';
import { AccountLink, BlockHashLink, BlockLink } from './links.tsx';

/** A row of the latest blocks: a full block, or one just announced on `chain:blocks` (no proposer yet). */
export type BlockRow = Pick<Block, 'height' | 'hash' | 'timeMs' | 'txCount'> & { proposer: string | null };

export function LatestBlocks({ blocks, loading, nowMs }: { blocks: BlockRow[] | undefined; loading: boolean; nowMs: number }) {
  const columns: Column<BlockRow>[] = [
    {
      key: 'height',
      header: 'Height',
      cell: (block) => (
        <span className="inline-flex flex-col align-middle leading-tight">
          <BlockLink height={block.height} />
          {/* Phones have no room for the Age column: the age goes under the height. */}
          <span className="text-xs text-slate-500 sm:hidden dark:text-slate-400">{formatTimeAgo(block.timeMs, nowMs)}</span>
        </span>
      ),
    },
    { key: 'hash', header: 'Hash', cell: (block) => <BlockHashLink hash={block.hash} height={block.height} /> },
    {
      key: 'age',
      header: 'Age',
      className: 'hidden sm:table-cell',
      cell: (block) => (
        <time
          dateTime={new Date(block.timeMs).toISOString()}
          title={formatUtc(block.timeMs)}
          className="text-slate-500 dark:text-slate-400"
        >
          {formatTimeAgo(block.timeMs, nowMs)}
        </time>
      ),
    },
    { key: 'txs', header: 'Txs', align: 'right', cell: (block) => <span className="tabular-nums">{block.txCount}</span> },
    {
      key: 'proposer',
      header: 'Proposer',
      className: 'hidden md:table-cell',
      cell: (block) => (block.proposer ? <AccountLink did={block.proposer} /> : <span className="text-slate-400">…</span>),
    },
  ];
  return (
    <Panel title="Latest blocks" aside="newest first">
      <Table
        label="Latest blocks"
        columns={columns}
        rows={blocks}
        rowKey={(block) => block.hash}
        loading={loading}
        skeletonRows={10}
        empty={<EmptyState icon={<CubeIcon />} title="No blocks yet" description="The node has not produced a block." />}
      />
    </Panel>
  );
}
