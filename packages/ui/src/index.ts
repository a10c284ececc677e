/** @arc/ui: presentational building blocks shared by the web apps; no data fetching, no app state. */
export { Badge, type BadgeTone } from './badge.tsx';
export { EmptyState, type EmptyStateProps } from './empty-state.tsx';
export { type FormatAmountOptions, formatAmount } from './format-amount.ts';
export { Hash, type HashProps } from './hash.tsx';
export * from './icons.tsx';
export { Panel, type PanelProps } from './panel.tsx';
export { shortenDid, shortenMiddle } from './shorten.ts';
export { Skeleton } from './skeleton.tsx';
export { StatCard, type StatCardProps } from './stat-card.tsx';
export { StatusPill, type StatusTone } from './status-pill.tsx';
export { type Column, Table, type TableProps } from './table.tsx';
export { formatTimeAgo } from './time-ago.ts';
export { TxTypeBadge } from './tx-type-badge.tsx';
