import type { ReactNode } from 'react';
import { buttonClass } from './button.tsx';

export interface PaginationProps {
  /** Where the newer page is (a link), or what shows it (a button); neither: there is none. */
  newerHref?: string;
  onNewer?: () => void;
  /** Where the older page is (a link with the next cursor), or what loads it. */
  olderHref?: string;
  onOlder?: () => void;
  /** Said between the buttons ("Page 2", "Showing 20"). */
  status?: ReactNode;
  /** A page is on its way: the buttons wait. */
  loading?: boolean;
  /** Renders links with this component (Next's Link); a plain <a> by default. */
  linkAs?: (props: { href: string; className: string; children: ReactNode; rel?: string }) => ReactNode;
}

const className = buttonClass({ variant: 'secondary', size: 'sm' });

function Control({
  label,
  href,
  onClick,
  rel,
  loading,
  linkAs,
}: {
  label: string;
  href?: string;
  onClick?: () => void;
  rel: string;
  loading: boolean;
  linkAs?: PaginationProps['linkAs'];
}) {
  if (href)
    return linkAs ? (
      linkAs({ href, className, children: label, rel })
    ) : (
      <a href={href} rel={rel} className={className}>
        {label}
      </a>
    );
  return (
    <button type="button" className={className} onClick={onClick} disabled={!onClick || loading}>
      {label}
    </button>
  );
}

/** Cursor paging, newest first: "Newer" and "Older", with an optional status in between. */
export function Pagination({ newerHref, onNewer, olderHref, onOlder, status, loading = false, linkAs }: PaginationProps) {
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-3 px-4 py-3">
      <Control label="← Newer" href={newerHref} onClick={onNewer} rel="prev" loading={loading} linkAs={linkAs} />
      {status ? <span className="text-xs text-slate-500 dark:text-slate-400">{status}</span> : null}
      <Control label="Older →" href={olderHref} onClick={onOlder} rel="next" loading={loading} linkAs={linkAs} />
    </nav>
  );
}
