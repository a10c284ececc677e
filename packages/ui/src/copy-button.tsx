'use client';

import { useEffect, useState } from 'react';
import { buttonClass } from './button.tsx';
import { CheckIcon, CopyIcon } from './icons.tsx';

/** How long "Copied" shows after a copy. */
const copiedShowMs = 1500;

export interface CopyButtonProps {
  value: string;
  /** What is copied, for the button's accessible name ("Copy DID"). */
  label?: string;
  /** Show the word "Copy" beside the icon (default: icon only). */
  showText?: boolean;
  className?: string;
}

/** Copies `value` to the clipboard and says so for a moment. */
export function CopyButton({ value, label = 'value', showText = false, className = '' }: CopyButtonProps) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), copiedShowMs);
    return () => clearTimeout(timer);
  }, [copied]);
  const copy = () => {
    void navigator.clipboard?.writeText(value).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <button
      type="button"
      onClick={copy}
      aria-label={copied ? `Copied ${label}` : `Copy ${label}`}
      className={`${buttonClass({ variant: showText ? 'secondary' : 'ghost', size: 'sm' })} ${showText ? '' : 'w-8 px-0'} ${className}`}
    >
      {copied ? <CheckIcon className="text-emerald-600 dark:text-emerald-400" /> : <CopyIcon />}
      {showText ? <span aria-live="polite">{copied ? 'Copied' : 'Copy'}</span> : null}
    </button>
  );
}
