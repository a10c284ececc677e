'use client';

import { Toast } from 'radix-ui';
import { useSyncExternalStore } from 'react';

export type ToastKind = 'success' | 'error' | 'info';

export interface ToastInput {
  title: string;
  body?: string;
  kind?: ToastKind;
}

interface ShownToast extends Required<Pick<ToastInput, 'title' | 'kind'>> {
  id: number;
  body?: string;
}

/** At most this many toasts at once: the oldest goes first. */
const maxToasts = 4;
/** How long a toast stays (errors stay until dismissed or twice as long). */
const toastShowMs = 5000;

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

function dismiss(id: number): void {
  shown = shown.filter((item) => item.id !== id);
  emit();
}

const kinds: Record<ToastKind, { accent: string; icon: string }> = {
  success: { accent: 'bg-emerald-500', icon: '✓' },
  error: { accent: 'bg-red-500', icon: '!' },
  info: { accent: 'bg-indigo-500', icon: 'i' },
};

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
  return (
    <Toast.Provider swipeDirection="right" duration={toastShowMs}>
      {items.map((item) => (
        <Toast.Root
          key={item.id}
          type={item.kind === 'error' ? 'foreground' : 'background'}
          duration={item.kind === 'error' ? toastShowMs * 2 : toastShowMs}
          onOpenChange={(open) => {
            if (!open) dismiss(item.id);
          }}
          data-kind={item.kind}
          className="relative flex items-start gap-3 overflow-hidden rounded-xl bg-white p-4 pr-10 shadow-lg ring-1 ring-slate-200 data-[swipe=move]:translate-x-(--radix-toast-swipe-move-x) data-[swipe=end]:translate-x-full data-[swipe=end]:transition-transform dark:bg-slate-900 dark:ring-slate-700"
        >
          <span
            aria-hidden="true"
            className={`flex size-5 shrink-0 items-center justify-center rounded-full text-xs font-bold text-white ${kinds[item.kind].accent}`}
          >
            {kinds[item.kind].icon}
          </span>
          <div className="min-w-0 space-y-1">
            <Toast.Title className="text-sm font-semibold text-slate-900 dark:text-slate-100">{item.title}</Toast.Title>
            {item.body ? (
              <Toast.Description className="text-sm break-words text-slate-600 dark:text-slate-400">{item.body}</Toast.Description>
            ) : null}
          </div>
          <Toast.Close
            aria-label="Dismiss"
            className="absolute top-3 right-3 flex size-6 items-center justify-center rounded text-slate-400 hover:bg-slate-100 hover:text-slate-700 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:hover:bg-slate-800 dark:hover:text-slate-200"
          >
            ×
          </Toast.Close>
        </Toast.Root>
      ))}
      <Toast.Viewport className="fixed right-0 bottom-0 z-[100] flex w-full max-w-sm flex-col gap-2 p-4 outline-none" />
    </Toast.Provider>
  );
}
