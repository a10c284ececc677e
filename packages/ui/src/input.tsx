import type { InputHTMLAttributes, TextareaHTMLAttributes } from 'react';

/** The look shared by text inputs, text areas and select triggers; red ring when aria-invalid. */
export const controlClass =
  'block w-full rounded-lg border-0 bg-white px-3 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-indigo-500 focus:outline-none disabled:cursor-not-allowed disabled:bg-slate-50 disabled:text-slate-500 aria-invalid:ring-red-500 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700 dark:placeholder:text-slate-500 dark:focus:ring-indigo-400 dark:disabled:bg-slate-800 dark:aria-invalid:ring-red-400';

/** A one-line text input (use it inside a Field for its label and messages). */
export function Input({ className = '', ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={`h-10 ${controlClass} ${className}`} {...props} />;
}

/** A multi-line text input. */
export function Textarea({ className = '', rows = 4, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea rows={rows} className={`py-2 ${controlClass} ${className}`} {...props} />;
}
