'use client';

import { useEffect, useState } from 'react';
import { CheckIcon, CopyIcon } from './icons.tsx';
import { shortenDid, shortenMiddle } from './shorten.ts';

export interface HashProps {
  /** The full value: a hash, a DID, an address. Shown whole in the tooltip and copied whole. */
  value: string;
  /** Characters kept before and after the ellipsis (for a DID, `head` counts after `did:abt:`). */
  head?: number;
  tail?: number;
  copyable?: boolean;
  /** What the value is, for the copy button's label ("Copy block hash"). */
  label?: string;
  className?: string;
}

/** How long the "copied" check stays before the copy icon comes back. */
const copiedFeedbackMs = 1500;

/**
 * A long identifier shortened in the middle, in monospace, with the full value on hover and a copy
 * button. A DID keeps its `did:abt:` prefix in front of the shortened part.
 */
export function Hash({ value, head = 8, tail = 6, copyable = true, label = 'value', className = '' }: HashProps) {
  return (
    <span className={`inline-flex max-w-full items-center gap-1 align-middle ${className}`}>
      <span title={value} className="truncate font-mono">
        {value.startsWith('did:') ? shortenDid(value, head, tail) : shortenMiddle(value, head, tail)}
      </span>
      {copyable ? <CopyButton value={value} label={label} /> : null}
    </span>
  );
}

function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), copiedFeedbackMs);
    return () => clearTimeout(timer);
  }, [copied]);

  async function copy() {
    // The clipboard exists only in secure contexts (https, localhost); elsewhere the button does nothing.
    if (!navigator.clipboard) return;
    await navigator.clipboard.writeText(value);
    setCopied(true);
  }

  return (
    <button
      type="button"
      onClick={copy}
      aria-label={copied ? 'Copied' : `Copy ${label}`}
      title={copied ? 'Copied' : `Copy ${label}`}
      className="inline-flex size-6 shrink-0 items-center justify-center rounded text-slate-400 dark:text-slate-500 transition hover:bg-slate-100 dark:hover:bg-slate-800 hover:text-slate-700 dark:hover:text-slate-200 focus-visible:outline-2 focus-visible:outline-indigo-500"
    >
      {copied ? <CheckIcon className="size-3.5 text-emerald-600 dark:text-emerald-400" /> : <CopyIcon className="size-3.5" />}
    </button>
  );
}
