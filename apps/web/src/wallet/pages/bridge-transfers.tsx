'use client';

import { Badge, type Column, EmptyState, formatAmount, Hash, Table } from '@arc/ui';
import Link from 'next/link';
import { type BridgeTransferStatus, bridgeStatusWords, confirmationsWords } from './bridge-actions.ts';

/** One bridge transfer as economy.bridge answers it (the fields this page shows). */
export interface BridgeTransferRow {
  seq: number;
  direction: 'toEthereum' | 'toLedger';
  sourceId: string;
  amount: string;
  from: string;
  to: string;
  status: BridgeTransferStatus;
  reason: string | null;
  ethTxHash: string | null;
  ledgerTxHash: string | null;
  confirmations: number;
  confirmationsRequired: number;
}

/** The account's bridge transfers both ways: direction, amount, status, confirmations, and both chains' transactions. */
export function BridgeTransfers({ rows, decimals, symbol }: { rows: BridgeTransferRow[]; decimals: number; symbol: string }) {
  const columns: Column<BridgeTransferRow>[] = [
    {
      key: 'direction',
      header: 'Direction',
      cell: (row) => (
        <div className="flex flex-col">
          <span>{row.direction === 'toEthereum' ? 'Arc → Ethereum' : 'Ethereum → Arc'}</span>
          <span className="text-xs text-slate-500 dark:text-slate-400">
            to <Hash value={row.to} head={6} tail={4} label="recipient" />
          </span>
        </div>
      ),
    },
    {
      key: 'amount',
      header: 'Amount',
      align: 'right',
      cell: (row) => <span className="tabular-nums">{`${formatAmount(row.amount, decimals)} ${symbol}`}</span>,
    },
    {
      key: 'status',
      header: 'Status',
      cell: (row) => {
        const words = bridgeStatusWords(row.status);
        return (
          <span title={row.reason ?? undefined}>
            <Badge tone={words.tone}>{words.label}</Badge>
          </span>
        );
      },
    },
    {
      key: 'confirmations',
      header: 'Confirmations',
      cell: (row) => (
        <span className="tabular-nums" title={confirmationsWords(row.confirmations, row.confirmationsRequired)}>
          {`${Math.min(row.confirmations, row.confirmationsRequired)} of ${row.confirmationsRequired}`}
        </span>
      ),
    },
    {
      key: 'ledgerTx',
      header: 'Arc tx',
      cell: (row) =>
        row.ledgerTxHash ? (
          <Link href={`/explorer/tx/${row.ledgerTxHash}`} className="font-mono text-indigo-700 hover:underline dark:text-indigo-300">
            {`${row.ledgerTxHash.slice(0, 8)}…`}
          </Link>
        ) : (
          <span className="text-slate-400">—</span>
        ),
    },
    {
      key: 'ethTx',
      header: 'Ethereum tx',
      cell: (row) => (row.ethTxHash ? <Hash value={row.ethTxHash} head={6} tail={4} label="Ethereum transaction hash" /> : '—'),
    },
  ];
  if (rows.length === 0) {
    return <EmptyState title="No bridge transfers yet" description="ABT you bridge, and ERC-20 you burn back to Arc, show here." />;
  }
  return <Table label="Bridge transfers" columns={columns} rows={rows} rowKey={(row) => String(row.seq)} />;
}
