'use client';

import dynamic from 'next/dynamic';
import { useState, useSyncExternalStore } from 'react';

export type ToastKind = 'success' | 'error' | 'info';

export interface ToastInput {
  title: string;
  body?: string;
  kind?: ToastKind;
}

export interface ShownToast extends Required<Pick<ToastInput, 'title' | 'kind'>> {
  id: number;
  body?: string;
}

/** At most this many toasts at once: the oldest goes first. */
const maxToasts = 4;
/** How long a toast stays (errors stay until dismissed or twice as long). */
export const toastShowMs = 5000;

let shown: ShownToast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const none: ShownToast[] = [];

function emit(): void {
  for (const listener of listeners) listener();
}

/** Shows a short message in the corner (from anywhere: a handler, a mutation's onError); screen readers hear it. */
export function toast({ title, body, kind = 'info' }: ToastInput): void {
  shown = [...shown, { id: nextId++, title, body, kind }].slice(-maxToasts);
  emit();
}

export function dismiss(id: number): void {
  shown = shown.filter((item) => item.id !== id);
  emit();
}

// The toasts' view (Radix Toast) is downloaded with the first toast, not with every page.
const ToasterView = dynamic(() => import('./toaster-view.tsx').then((m) => m.ToasterView), { ssr: false });

/** Where toasts appear; the root layout renders one. */
export function Toaster() {
  const items = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => shown,
    () => none,
  );
  // Once shown, the view stays: a toast leaving animates out and the next one needs no download.
  const [used, setUsed] = useState(false);
  if (items.length > 0 && !used) setUsed(true);
  return used || items.length > 0 ? <ToasterView items={items} /> : null;
}
