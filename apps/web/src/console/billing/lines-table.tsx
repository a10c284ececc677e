import { shortenDid } from '@arc/ui';
import { abt, formatDay, formatQuantity, type LineGroup, lineItem } from './format.ts';

/**
 * An invoice's lines as a small table: one row per component or resource (its quantity and amount), the days under
 * it, and the total at the foot.
 */
export function LinesTable({ label, groups, total }: { label: string; groups: LineGroup[]; total: bigint }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than a phone scrolls; the keyboard must reach it (axe scrollable-region-focusable)
    <div className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-indigo-500" tabIndex={0}>
      <table aria-label={label} className="w-full text-left text-sm">
        <thead>
          <tr className="border-b border-slate-200 bg-slate-50/80 dark:border-slate-800 dark:bg-slate-800/40">
            <th scope="col" className="px-3 py-2.5 text-xs font-medium tracking-wide text-slate-500 uppercase sm:px-4 dark:text-slate-400">
              Item
            </th>
            <th
              scope="col"
              className="px-3 py-2.5 text-right text-xs font-medium tracking-wide text-slate-500 uppercase sm:px-4 dark:text-slate-400"
            >
              Quantity
            </th>
            <th
              scope="col"
              className="px-3 py-2.5 text-right text-xs font-medium tracking-wide text-slate-500 uppercase sm:px-4 dark:text-slate-400"
            >
              Amount
            </th>
          </tr>
        </thead>
        {groups.map((group) => {
          const item = lineItem(group);
          return (
            <tbody key={group.key} className="border-b border-slate-100 dark:border-slate-800 [&>tr:last-child>*]:pb-3">
              <tr>
                <th scope="row" className="px-3 pt-3 pb-1 text-left font-normal sm:px-4">
                  <span className="block font-medium text-slate-900 dark:text-slate-100">{item.title}</span>
                  <span
                    className="block text-xs text-slate-500 dark:text-slate-400"
                    title={group.kind === 'node' ? group.payee : undefined}
                  >
                    {group.kind === 'node' ? `Node ${shortenDid(group.payee)}` : item.detail}
                  </span>
                </th>
                <td className="px-3 pt-3 pb-1 text-right align-top whitespace-nowrap text-slate-700 tabular-nums sm:px-4 dark:text-slate-300">
                  {group.kind === 'fees' ? '—' : formatQuantity(group.quantity, group.unit)}
                </td>
                <td className="px-3 pt-3 pb-1 text-right align-top font-medium whitespace-nowrap text-slate-900 tabular-nums sm:px-4 dark:text-slate-100">
                  {abt(group.amount)}
                </td>
              </tr>
              {group.days.map((day) => (
                <tr key={day.day} className="text-xs text-slate-500 dark:text-slate-400">
                  <td className="py-1 pr-3 pl-6 sm:pr-4 sm:pl-8">{formatDay(day.day)}</td>
                  <td className="px-3 py-1 text-right whitespace-nowrap tabular-nums sm:px-4">
                    {group.kind === 'fees' ? '' : formatQuantity(day.quantity, group.unit)}
                  </td>
                  <td className="px-3 py-1 text-right whitespace-nowrap tabular-nums sm:px-4">{abt(day.amount)}</td>
                </tr>
              ))}
            </tbody>
          );
        })}
        <tfoot>
          <tr className="bg-slate-50/80 dark:bg-slate-800/40">
            <th scope="row" colSpan={2} className="px-3 py-2.5 text-left font-semibold text-slate-900 sm:px-4 dark:text-slate-100">
              Total
            </th>
            <td
              data-testid="invoice-total"
              className="px-3 py-2.5 text-right font-semibold whitespace-nowrap text-slate-900 tabular-nums sm:px-4 dark:text-slate-100"
            >
              {abt(total)}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
