import { shortenDid, shortenMiddle } from '@arc/ui';
import Link from 'next/link';
import { explorerPaths } from './format.ts';

const linkClass = 'font-medium text-indigo-700 hover:underline dark:text-indigo-300';

/** A block height that links to its block page. */
export function BlockLink({ height, className = '' }: { height: number; className?: string }) {
  return (
    <Link href={explorerPaths.block(height)} className={`${linkClass} tabular-nums ${className}`} data-height={height}>
      {height.toLocaleString('en-US')}
    </Link>
  );
}

interface Shape {
  head?: number;
  tail?: number;
  /** The full value instead of a shortened one (it wraps). */
  full?: boolean;
}

/** A shortened hash or DID that links to its page; the full value on hover and for screen readers. */
function HashLink({ href, value, head = 8, tail = 6, full = false }: Shape & { href: string; value: string }) {
  const shown = full ? value : value.startsWith('did:') ? shortenDid(value, head, tail) : shortenMiddle(value, head, tail);
  return (
    <Link href={href} title={value} className={`${linkClass} font-mono ${full ? 'break-all' : 'whitespace-nowrap'}`}>
      {shown === value ? value : <span aria-hidden="true">{shown}</span>}
      {shown === value ? null : <span className="sr-only">{value}</span>}
    </Link>
  );
}

export function TxLink({ hash, ...shape }: Shape & { hash: string }) {
  return <HashLink href={explorerPaths.tx(hash)} value={hash} {...shape} />;
}

export function BlockHashLink({ hash, height, ...shape }: Shape & { hash: string; height: number }) {
  return <HashLink href={explorerPaths.block(height)} value={hash} {...shape} />;
}

export function AccountLink({ did, head = 6, tail = 6, ...shape }: Shape & { did: string }) {
  return <HashLink href={explorerPaths.account(did)} value={did} head={head} tail={tail} {...shape} />;
}

export function AssetLink({ address, head = 6, tail = 6, ...shape }: Shape & { address: string }) {
  return <HashLink href={explorerPaths.asset(address)} value={address} head={head} tail={tail} {...shape} />;
}

export function TokenLink({ address, symbol }: { address: string; symbol: string }) {
  return (
    <Link href={explorerPaths.token(address)} className={linkClass}>
      {symbol}
    </Link>
  );
}
