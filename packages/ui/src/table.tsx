import type { ReactNode } from 'react';
import { Skeleton } from './skeleton.tsx';

export interface Column<Row> {
  key: string;
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  align?: 'left' | 'right';
  /** Classes for the column's header and cells, e.g. `hidden sm:table-cell` to drop it on phones. */
  className?: string;
}

export interface TableProps<Row> {
  /** Names the table for assistive tech and tests. */
  label: string;
  columns: Column<Row>[];
  /** `undefined` while the first page loads. */
  rows: Row[] | undefined;
  rowKey: (row: Row) => string;
  loading?: boolean;
  /** Rows of placeholders shown while loading. */
  skeletonRows?: number;
  /** Shown across the table when `rows` is empty. */
  empty?: ReactNode;
}

/** A data table that scrolls sideways rather than overflow, with loading and empty states. */
export function Table<Row>({ label, columns, rows, rowKey, loading = false, skeletonRows = 5, empty }: TableProps<Row>) {
  const showSkeleton = loading && rows === undefined;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than a phone scrolls; the keyboard must reach it (axe scrollable-region-focusable)
    <div className="relative overflow-x-auto focus-visible:outline-2 focus-visible:outline-indigo-500" tabIndex={0}>
      <table aria-label={label} aria-busy={showSkeleton} className="w-full text-left text-sm">
        <thead>
          <tr className="border-b border-slate-200 dark:border-slate-800 bg-slate-50/80 dark:bg-slate-800/40">
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={`px-3 py-2.5 text-xs sm:px-4 font-medium tracking-wide whitespace-nowrap text-slate-500 dark:text-slate-400 uppercase ${alignClass(column.align)} ${column.className ?? ''}`}
              >
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {showSkeleton
            ? Array.from({ length: skeletonRows }, (_, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity of their own
                <tr key={index}>
                  {columns.map((column) => (
                    <td key={column.key} className={`px-3 py-3 sm:px-4 ${column.className ?? ''}`}>
                      <Skeleton className={`h-4 ${column.align === 'right' ? 'ml-auto w-12' : 'w-24'}`} />
                    </td>
                  ))}
                </tr>
              ))
            : null}
          {rows?.length === 0 && empty !== undefined ? (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : null}
          {rows?.map((row) => (
            <tr key={rowKey(row)} className="transition-colors hover:bg-slate-50 dark:hover:bg-slate-800/50">
              {columns.map((column) => (
                <td
                  key={column.key}
                  className={`px-3 py-3 whitespace-nowrap text-slate-700 dark:text-slate-300 sm:px-4 ${alignClass(column.align)} ${column.className ?? ''}`}
                >
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function alignClass(align: Column<unknown>['align']): string {
  return align === 'right' ? 'text-right' : 'text-left';
}
