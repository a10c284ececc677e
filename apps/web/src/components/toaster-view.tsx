'use client';

import { Toast } from 'radix-ui';
import { dismiss, type ShownToast, type ToastKind, toastShowMs } from './toast.tsx';

const kinds: Record<ToastKind, { accent: string; icon: string }> = {
  success: { accent: 'bg-emerald-500', icon: '✓' },
  error: { accent: 'bg-red-500', icon: '!' },
  info: { accent: 'bg-indigo-500', icon: 'i' },
};

/** The toasts on screen (Radix Toast: swipe to dismiss, read out by screen readers); Toaster loads it on first use. */
export function ToasterView({ items }: { items: ShownToast[] }) {
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
